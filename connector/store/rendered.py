"""Rendered documents of a snapshot: stored and fetched as opaque text.

The HTTP side renders every served resource once after a sync
(`scim.rendering`) so that a read is one indexed lookup, as cheap as serving a
stored JSON document can be. The store only keeps the text, keyed by
snapshot, resource type and id; it never looks inside.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

import sqlalchemy as sa

from connector.record_keys import entitlement_id
from connector.served.entitlements import NAME as ENTITLEMENT
from connector.served.served_type import RESOURCE_PREFIX
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


def _insert(
    connection: sa.Connection, snapshot_id: int, resource_type: str, documents: Mapping[str, str]
) -> None:
    rows = [
        {"snapshot_id": snapshot_id, "resource_type": resource_type, "id": key, "document": text}
        for key, text in documents.items()
    ]
    if rows:
        connection.execute(t.rendered_documents.insert(), rows)


def store_fresh_documents(
    connection: sa.Connection,
    snapshot_id: int,
    resource_type: str,
    documents: Mapping[str, str],
    *,
    since: datetime,
) -> None:
    """Store rendered documents, except those of resources written since `since`.

    The switch of the current snapshot is locked first (PostgreSQL), as a
    write-through locks it (for share): a write either ends before this check,
    and its resource is left out, or waits until these documents are stored,
    and then forgets the one it makes stale. So does the recording of a
    sign-in (connector.store.last_use.record), which changes Entitlements'
    members without moving their version.
    """
    connection.execute(sa.select(t.current_snapshot.c.snapshot_id).with_for_update())
    versions = t.object_versions
    written = set(
        connection.execute(
            sa.select(versions.c.object_id)
            .where(versions.c.object_type == f"{RESOURCE_PREFIX}{resource_type}")
            .where(versions.c.last_modified_at >= since)
        ).scalars()
    )
    if resource_type == ENTITLEMENT:
        written |= _used_since(connection, since)
    _insert(
        connection,
        snapshot_id,
        resource_type,
        {key: text for key, text in documents.items() if key not in written},
    )


def _used_since(connection: sa.Connection, since: datetime) -> set[str]:
    """The account entitlements whose members' last use was recorded since `since`
    (a row not yet resolved to a permission set shows on none rendered)."""
    uses = t.last_use
    rows = connection.execute(
        sa.select(uses.c.account_id, uses.c.permission_set_arn)
        .where(uses.c.recorded_at >= since, uses.c.permission_set_arn.is_not(None))
        .distinct()
    )
    return {entitlement_id(row.account_id, row.permission_set_arn) for row in rows}


def carry_over(
    connection: sa.Connection,
    previous_snapshot_id: int,
    snapshot_id: int,
    changed: Collection[tuple[str, str]],
) -> None:
    """Keep the previous snapshot's documents of resources that did not change.

    A document is a function of what its resource digest covers (its record,
    the names it shows, its version), so an unchanged digest means an
    unchanged document: only the changed ones are rendered again.
    """
    documents = t.rendered_documents
    connection.execute(
        documents.insert().from_select(
            ["snapshot_id", "resource_type", "id", "document"],
            sa.select(
                sa.literal(snapshot_id),
                documents.c.resource_type,
                documents.c.id,
                documents.c.document,
            ).where(documents.c.snapshot_id == previous_snapshot_id),
        )
    )
    forget(connection, snapshot_id, changed)


def forget(
    connection: sa.Connection, snapshot_id: int, resources: Collection[tuple[str, str]]
) -> None:
    """Drop the documents of these (resource type, id): stale, built again when read."""
    documents = t.rendered_documents
    by_type: dict[str, list[str]] = {}
    for resource_type, resource_id in sorted(resources):
        by_type.setdefault(resource_type, []).append(resource_id)
    for resource_type, ids in by_type.items():
        for start in range(0, len(ids), _CHUNK):
            connection.execute(
                documents.delete()
                .where(documents.c.snapshot_id == snapshot_id)
                .where(documents.c.resource_type == resource_type)
                .where(documents.c.id.in_(ids[start : start + _CHUNK]))
            )


def rendered_ids(snapshot_id: int, resource_type: str) -> sa.Select[tuple[str]]:
    """The ids of a type that have a document in the snapshot (a subquery)."""
    documents = t.rendered_documents
    return sa.select(documents.c.id).where(
        documents.c.snapshot_id == snapshot_id, documents.c.resource_type == resource_type
    )
