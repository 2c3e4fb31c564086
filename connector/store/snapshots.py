"""Writing a snapshot atomically, recording what changed, and reading it back.

`publish_snapshot` does everything in one transaction: insert the new rows
under the sync's id, compare each object's content hash with the change
record, record additions, changes and removals, and point `current_snapshot`
at the new rows. If any step fails, the transaction rolls back and readers go
on seeing the previous snapshot. Old rows are removed afterwards, in a
separate transaction, because readers never look at them again.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connector.record_keys import content_hash, object_key
from connector.records import Assignment, ProvisionedPair, Snapshot
from connector.store import provenance, reads, rendered
from connector.store import tables as t
from connector.store.codec import (
    all_records,
    membership_from_row,
    snapshot_rows,
)
from connector.store.resource_digests import RESOURCE_PREFIX, all_births, resource_digests

# Rows per INSERT statement batch: large enough to be fast, small enough for
# SQLite's and psycopg's parameter limits.
_BATCH = 2000


@dataclass(frozen=True)
class ChangeSummary:
    added: dict[str, int]
    changed: dict[str, int]
    removed: dict[str, int]

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"added": self.added, "changed": self.changed, "removed": self.removed}


def current_snapshot_id(connection: sa.Connection) -> int | None:
    return connection.execute(sa.select(t.current_snapshot.c.snapshot_id)).scalar_one_or_none()


def publish_snapshot(
    connection: sa.Connection, sync_id: int, snapshot: Snapshot, now: datetime
) -> ChangeSummary:
    """Insert, diff and switch, inside the caller's transaction."""
    # Taken first (PostgreSQL; SQLite's writer already excludes the others): a
    # write-through waits until the switch is committed, or the switch waits
    # for it, never the two locking each other half-way (write_through._snapshot).
    previous = connection.execute(
        sa.select(t.current_snapshot.c.snapshot_id).with_for_update()
    ).scalar_one_or_none()
    for name, rows in snapshot_rows(snapshot, sync_id).items():
        table = t.metadata.tables[name]
        for start in range(0, len(rows), _BATCH):
            connection.execute(table.insert(), rows[start : start + _BATCH])
    # What the store knows of who made each access goes with what AWS holds:
    # the digests of the resources that show it read both.
    provenance.prune(connection, sync_id)
    assignment_provenance, membership_provenance = provenance.every_row(connection)
    snapshot = dataclasses.replace(
        snapshot,
        assignment_provenance=assignment_provenance,
        membership_provenance=membership_provenance,
        application_assignment_provenance=provenance.every_application_row(connection),
    )
    summary, changed = _record_changes(connection, sync_id, snapshot, now)
    if previous is not None:
        rendered.carry_over(connection, previous, sync_id, changed)
    switched = connection.execute(
        t.current_snapshot.update()
        .where(t.current_snapshot.c.singleton == 1)
        .values(snapshot_id=sync_id, switched_at=now)
    )
    if switched.rowcount == 0:
        connection.execute(
            t.current_snapshot.insert().values(singleton=1, snapshot_id=sync_id, switched_at=now)
        )
    return summary


def drop_stale_snapshots(connection: sa.Connection) -> None:
    """Delete rows of every snapshot but the current one (old or abandoned)."""
    keep = current_snapshot_id(connection)
    for table in t.SNAPSHOT_TABLES:
        condition = table.c.snapshot_id != keep if keep is not None else sa.true()
        connection.execute(table.delete().where(condition))


def _record_changes(
    connection: sa.Connection, sync_id: int, snapshot: Snapshot, now: datetime
) -> tuple[ChangeSummary, set[tuple[str, str]]]:
    """Record what changed; the summary, and the served resources that changed
    (by resource type and id) whose rendered documents cannot be kept."""
    versions = t.object_versions
    known: dict[tuple[str, str], tuple[str, bool]] = {}
    recorded_birth: dict[tuple[str, str], datetime] = {}
    for row in connection.execute(
        sa.select(
            versions.c.object_type,
            versions.c.object_id,
            versions.c.content_hash,
            versions.c.removed_at,
            versions.c.created_at,
        )
    ):
        known[(row.object_type, row.object_id)] = (row.content_hash, row.removed_at is None)
        recorded_birth[(row.object_type, row.object_id)] = row.created_at
    fresh = {object_key(record): content_hash(record) for record in all_records(snapshot)}
    fresh.update(resource_digests(snapshot, fresh))
    born = all_births(snapshot)
    counts: dict[str, defaultdict[str, int]] = {
        change: defaultdict(int) for change in ("added", "changed", "removed")
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for key, digest in fresh.items():
        previous = known.get(key)
        if previous is None:
            inserts.append(
                {
                    "object_type": key[0],
                    "object_id": key[1],
                    "content_hash": digest,
                    "created_at": born.get(key, now),
                    "last_modified_at": now,
                    "removed_at": None,
                    "last_sync_id": sync_id,
                }
            )
            change = "added"
        elif not previous[1]:
            change = "added"  # it was removed and came back
        elif previous[0] != digest:
            change = "changed"
        else:
            continue
        if previous is not None:
            updates.append(
                {"t": key[0], "i": key[1], "h": digest, "m": now, "r": None, "s": sync_id}
            )
        changes.append(_change(sync_id, key, change, now))
        _count(counts, change, key)
    for key, (digest, present) in known.items():
        if present and key not in fresh:
            updates.append(
                {"t": key[0], "i": key[1], "h": digest, "m": now, "r": now, "s": sync_id}
            )
            changes.append(_change(sync_id, key, "removed", now))
            _count(counts, "removed", key)
    _execute_batches(connection, versions.insert(), inserts)
    _execute_batches(
        connection,
        versions.update()
        .where(versions.c.object_type == sa.bindparam("t"))
        .where(versions.c.object_id == sa.bindparam("i"))
        .values(
            content_hash=sa.bindparam("h"),
            last_modified_at=sa.bindparam("m"),
            removed_at=sa.bindparam("r"),
            last_sync_id=sa.bindparam("s"),
        ),
        updates,
    )
    _execute_batches(connection, t.object_changes.insert(), changes)
    # A resource first recorded before the connector read AWS's creation times
    # (or whose time AWS corrected) gets AWS's: meta.created is when it was made.
    _execute_batches(
        connection,
        versions.update()
        .where(versions.c.object_type == sa.bindparam("t"))
        .where(versions.c.object_id == sa.bindparam("i"))
        .values(created_at=sa.bindparam("c")),
        [
            {"t": key[0], "i": key[1], "c": at}
            for key, at in born.items()
            if key in recorded_birth and recorded_birth[key] != at
        ],
    )
    summary = ChangeSummary(
        added=dict(counts["added"]),
        changed=dict(counts["changed"]),
        removed=dict(counts["removed"]),
    )
    resources = {
        (change["object_type"][len(RESOURCE_PREFIX) :], change["object_id"])
        for change in changes
        if change["object_type"].startswith(RESOURCE_PREFIX)
    }
    return summary, resources


def _count(counts: dict[str, defaultdict[str, int]], change: str, key: tuple[str, str]) -> None:
    """The summary counts AWS objects; served resources follow from them."""
    if not key[0].startswith(RESOURCE_PREFIX):
        counts[change][key[0]] += 1


def _change(sync_id: int, key: tuple[str, str], change: str, now: datetime) -> dict[str, Any]:
    return {
        "sync_id": sync_id,
        "object_type": key[0],
        "object_id": key[1],
        "change": change,
        "at": now,
    }


def _execute_batches(
    connection: sa.Connection, statement: sa.Executable, rows: Sequence[dict[str, Any]]
) -> None:
    for start in range(0, len(rows), _BATCH):
        connection.execute(statement, rows[start : start + _BATCH])


# -- reading a whole snapshot back (CLI summaries, tests, manifests) --------


def read_snapshot(connection: sa.Connection, snapshot_id: int) -> Snapshot:
    def rows(table: sa.Table, *order: sa.ColumnElement[Any]) -> Iterable[sa.Row[Any]]:
        return connection.execute(
            sa.select(table).where(table.c.snapshot_id == snapshot_id).order_by(*order)
        )

    instance = connection.execute(
        sa.select(t.syncs.c.instance_arn, t.syncs.c.identity_store_id).where(
            t.syncs.c.id == snapshot_id
        )
    ).one()
    return Snapshot(
        instance_arn=instance.instance_arn or "",
        identity_store_id=instance.identity_store_id or "",
        users=tuple(reads.users(connection, snapshot_id, None).values()),
        groups=tuple(reads.groups(connection, snapshot_id, None).values()),
        memberships=tuple(
            membership_from_row(r)
            for r in rows(t.memberships, t.memberships.c.group_id, t.memberships.c.user_id)
        ),
        permission_sets=tuple(
            sorted(
                reads.permission_sets(connection, snapshot_id, None).values(), key=lambda p: p.arn
            )
        ),
        accounts=tuple(reads.accounts(connection, snapshot_id, None).values()),
        provisioned_pairs=tuple(
            ProvisionedPair(account_id=r.account_id, permission_set_arn=r.permission_set_arn)
            for r in rows(t.provisioned_pairs, t.provisioned_pairs.c.account_id)
        ),
        outdated_pairs=tuple(
            ProvisionedPair(account_id=r.account_id, permission_set_arn=r.permission_set_arn)
            for r in rows(
                t.outdated_provisioning,
                t.outdated_provisioning.c.account_id,
                t.outdated_provisioning.c.permission_set_arn,
            )
        ),
        assignments=tuple(
            Assignment(
                account_id=r.account_id,
                permission_set_arn=r.permission_set_arn,
                principal_type=r.principal_type,
                principal_id=r.principal_id,
            )
            for r in rows(t.assignments, t.assignments.c.account_id)
        ),
        applications=tuple(
            sorted(reads.applications(connection, snapshot_id, None).values(), key=lambda a: a.arn)
        ),
        application_assignments=tuple(reads.application_assignments(connection, snapshot_id, None)),
    )
