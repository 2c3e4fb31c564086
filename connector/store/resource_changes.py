"""Record in the change record the served resources a write-through changed.

A confirmed write changes a few rows of the served snapshot. The resources
whose digests read those rows are found by each served type's own
dependencies (connector.served), asked before the change and after it, so
that a row's old and new neighbours both count: a superset of the resources
the change can have moved. Each one's digest is then computed from the store
with the digest function the sync uses, and exactly those whose digest
differs from the change record are recorded, with the real digest: their
`meta.version` after the write is the one the next sync computes, so an
If-Match sent after that sync still matches (RFC 7644 §3.14), and their
`meta.lastModified` moves only where what a client sees moved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa

from connector.served import registry
from connector.served.rows import Row
from connector.served.served_type import RESOURCE_PREFIX, Resource
from connector.store import rendered
from connector.store import tables as t
from connector.store.served_rows import StoredRows

_CHUNK = 900


@contextmanager
def recording(
    connection: sa.Connection, snapshot_id: int, changed: Sequence[Row], now: datetime
) -> Iterator[None]:
    """Around a change of the `changed` rows of the snapshot, inside the caller's
    transaction: record the served resources it changed, as changed `now`."""
    candidates = registry.dependents(StoredRows(connection, snapshot_id), changed)
    yield
    after = StoredRows(connection, snapshot_id)  # fresh: users read before are stale
    candidates |= registry.dependents(after, changed)
    record(
        connection,
        snapshot_id,
        registry.digests(after, candidates),
        now,
        registry.births(after, candidates),
    )


def record(
    connection: sa.Connection,
    snapshot_id: int,
    digests: Mapping[Resource, str | None],
    now: datetime,
    born: Mapping[Resource, datetime],
) -> set[Resource]:
    """Move the change record of each resource whose digest differs from it (None:
    no longer served); forget their rendered documents. Returns those moved. A
    resource recorded for the first time was created when AWS says (`born`), or now."""
    known = _versions(connection, digests)
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    moved: set[Resource] = set()
    for resource, digest in sorted(digests.items()):
        object_type, object_id = f"{RESOURCE_PREFIX}{resource[0]}", resource[1]
        previous = known.get(resource)
        if digest is None:
            if previous is None or previous[1]:
                continue
            # As a sync records a removal: the last digest stays, with its removal time.
            updates.append({"t": object_type, "i": object_id, "h": previous[0], "r": now})
        elif previous is None:
            inserts.append(
                {
                    "object_type": object_type,
                    "object_id": object_id,
                    "content_hash": digest,
                    "created_at": born.get(resource, now),
                    "last_modified_at": now,
                    "removed_at": None,
                    "last_sync_id": snapshot_id,
                }
            )
        elif previous[0] != digest or previous[1]:
            updates.append({"t": object_type, "i": object_id, "h": digest, "r": None})
        else:
            continue
        moved.add(resource)
    versions = t.object_versions
    if inserts:
        connection.execute(versions.insert(), inserts)
    if updates:
        connection.execute(
            versions.update()
            .where(versions.c.object_type == sa.bindparam("t"))
            .where(versions.c.object_id == sa.bindparam("i"))
            .values(
                content_hash=sa.bindparam("h"),
                last_modified_at=now,
                removed_at=sa.bindparam("r"),
            ),
            updates,
        )
    rendered.forget(connection, snapshot_id, moved)
    return moved


def _versions(
    connection: sa.Connection, resources: Iterable[Resource]
) -> dict[Resource, tuple[str, bool]]:
    """(digest, removed) of each resource the change record knows."""
    versions = t.object_versions
    found: dict[Resource, tuple[str, bool]] = {}
    for resource_type, ids in _by_type(resources).items():
        for start in range(0, len(ids), _CHUNK):
            rows = connection.execute(
                sa.select(versions.c.object_id, versions.c.content_hash, versions.c.removed_at)
                .where(versions.c.object_type == f"{RESOURCE_PREFIX}{resource_type}")
                .where(versions.c.object_id.in_(ids[start : start + _CHUNK]))
            )
            for row in rows:
                found[(resource_type, row.object_id)] = (
                    row.content_hash,
                    row.removed_at is not None,
                )
    return found


def _by_type(resources: Iterable[Resource]) -> dict[str, list[str]]:
    by_type: defaultdict[str, list[str]] = defaultdict(list)
    for resource_type, resource_id in sorted(resources):
        by_type[resource_type].append(resource_id)
    return by_type
