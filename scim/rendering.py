"""Render the served resources of the current snapshot once, right after a sync.

A snapshot changes only through writes, which forget the rendered documents
they make stale (connector.store.write_through): rendering once per sync
instead of once per request is what lets a read be a single indexed lookup
(bench/serving.py measures the difference). Documents are built by the same
code as live ones (each type's `Endpoint`, `scim.resources.registry`),
without the attributes returned only on request, and with a placeholder
where the request's base URL goes. A resource written while it was being
rendered is left unrendered (it is built live). Documents of resources a
sync found unchanged are carried over from the previous snapshot
(connector.store.rendered.carry_over): only what changed is rendered again.
"""

from __future__ import annotations

import json
import time

from connector.store import rendered, snapshots
from connector.store.store import Store, utcnow
from scim.query import ListQuery
from scim.resources.common import BASE_PLACEHOLDER
from scim.resources.registry import ENDPOINTS
from scim.served import dump_document

_CHUNK = 500


def render_snapshot(store: Store) -> dict[str, float | int]:
    """Render the current snapshot's resources that have no document yet; counts by type."""
    started = time.monotonic()
    began = utcnow()
    counts: dict[str, float | int] = {}
    with store.reading() as connection:
        snapshot_id = snapshots.current_snapshot_id(connection)
        if snapshot_id is None:
            return counts
        ids = {
            e.name: [
                row.id
                for row in connection.execute(
                    e.sql.rows(snapshot_id)
                    .where(e.sql.id_column.not_in(rendered.rendered_ids(snapshot_id, e.name)))
                    .order_by(*e.sql.default_sort)
                )
            ]
            for e in ENDPOINTS
        }
    plain = ListQuery()
    for endpoint in ENDPOINTS:
        name = endpoint.name
        if not ids[name]:
            continue
        texts: dict[str, str] = {}
        with store.reading() as connection:
            for start in range(0, len(ids[name]), _CHUNK):
                chunk = ids[name][start : start + _CHUNK]
                for document in endpoint.documents(
                    connection, snapshot_id, chunk, BASE_PLACEHOLDER, frozenset()
                ):
                    texts[document["id"]] = json.dumps(
                        dump_document(endpoint, document, plain), ensure_ascii=False
                    )
        with store.writing() as connection:
            rendered.store_fresh_documents(connection, snapshot_id, name, texts, since=began)
        counts[name] = len(texts)
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts
