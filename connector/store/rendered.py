"""Rendered documents of a snapshot: stored and fetched as opaque text.

The HTTP side renders every served resource once after a sync
(`scim.rendering`) so that a read is one indexed lookup, as cheap as serving a
stored JSON document can be. The store only keeps the text, keyed by
snapshot, resource type and id; it never looks inside.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import sqlalchemy as sa

from connector.store import tables as t

_CHUNK = 900

_FETCH = sa.select(t.rendered_documents.c.id, t.rendered_documents.c.document).where(
    t.rendered_documents.c.snapshot_id == sa.bindparam("snapshot_id"),
    t.rendered_documents.c.resource_type == sa.bindparam("resource_type"),
    t.rendered_documents.c.id.in_(sa.bindparam("ids", expanding=True)),
)


def fetch(
    connection: sa.Connection, snapshot_id: int, resource_type: str, ids: Collection[str]
) -> dict[str, str]:
    found: dict[str, str] = {}
    items = list(ids)
    for start in range(0, len(items), _CHUNK):
        parameters = {
            "snapshot_id": snapshot_id,
            "resource_type": resource_type,
            "ids": items[start : start + _CHUNK],
        }
        found.update((row.id, row.document) for row in connection.execute(_FETCH, parameters))
    return found


def store_documents(
    connection: sa.Connection, snapshot_id: int, resource_type: str, documents: Mapping[str, str]
) -> None:
    rows = [
        {"snapshot_id": snapshot_id, "resource_type": resource_type, "id": key, "document": text}
        for key, text in documents.items()
    ]
    if rows:
        connection.execute(t.rendered_documents.insert(), rows)


def rendered_types(connection: sa.Connection, snapshot_id: int) -> set[str]:
    return set(
        connection.execute(
            sa.select(t.rendered_documents.c.resource_type)
            .where(t.rendered_documents.c.snapshot_id == snapshot_id)
            .distinct()
        ).scalars()
    )
