"""Write-through: a change AWS confirmed shows in the served snapshot at once.

The next read after a successful write must show it, without waiting for the
next sync (which will read the same from AWS). Each function changes the
current snapshot's rows the way the next sync would, then forgets the
rendered documents the change makes stale (they are built from the rows on
the next read) and moves the change record of every served resource whose
content changed, so that `meta.lastModified`, `meta.version` and delta
aggregation see the write.

The change record's digest after a write-through is not the one a sync
would compute (that needs the whole snapshot); the next sync records the
resource as changed once more. A client doing delta aggregation reads it
again, which is harmless; the reverse, a change a client never sees, is not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from connector.records import Assignment, Group, Membership, ProvisionedPair, Snapshot, User
from connector.store import tables as t
from connector.store.codec import (
    entitlement_id,
    snapshot_rows,
)
from connector.store.resource_digests import RESOURCE_PREFIX

Resource = tuple[str, str]  # (served resource type, id)


def grant(
    connection: sa.Connection, assignment: Assignment, now: datetime, snapshot_id: int | None = None
) -> None:
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    pair = ProvisionedPair(assignment.account_id, assignment.permission_set_arn)
    _delete_assignment(connection, snapshot_id, assignment)
    rows = snapshot_rows(
        Snapshot("", "", assignments=(assignment,), provisioned_pairs=(pair,)), snapshot_id
    )
    connection.execute(t.assignments.insert(), rows["assignments"])
    exists = connection.execute(
        sa.select(sa.literal(1))
        .where(t.provisioned_pairs.c.snapshot_id == snapshot_id)
        .where(t.provisioned_pairs.c.account_id == pair.account_id)
        .where(t.provisioned_pairs.c.permission_set_arn == pair.permission_set_arn)
    ).first()
    if exists is None:
        connection.execute(t.provisioned_pairs.insert(), rows["provisioned_pairs"])
    _touch(connection, snapshot_id, _assignment_resources(assignment), now)
    _touch_members(connection, snapshot_id, assignment, now)


def revoke(
    connection: sa.Connection, assignment: Assignment, now: datetime, snapshot_id: int | None = None
) -> None:
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    _delete_assignment(connection, snapshot_id, assignment)
    _touch(connection, snapshot_id, _assignment_resources(assignment), now)
    _touch_members(connection, snapshot_id, assignment, now)


def add_member(
    connection: sa.Connection, membership: Membership, now: datetime, snapshot_id: int | None = None
) -> None:
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    _delete_membership(connection, snapshot_id, membership.group_id, membership.user_id)
    rows = snapshot_rows(Snapshot("", "", memberships=(membership,)), snapshot_id)
    connection.execute(t.memberships.insert(), rows["memberships"])
    _touch(
        connection, snapshot_id, _membership_resources(membership.group_id, membership.user_id), now
    )


def remove_member(
    connection: sa.Connection,
    group_id: str,
    user_id: str,
    now: datetime,
    snapshot_id: int | None = None,
) -> None:
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    _delete_membership(connection, snapshot_id, group_id, user_id)
    _touch(connection, snapshot_id, _membership_resources(group_id, user_id), now)


def put_user(
    connection: sa.Connection, user: User, now: datetime, snapshot_id: int | None = None
) -> None:
    """Insert or replace a user as AWS now describes it."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    _delete_user_rows(connection, snapshot_id, user.id)
    for name, rows in snapshot_rows(Snapshot("", "", users=(user,)), snapshot_id).items():
        if rows:
            connection.execute(t.metadata.tables[name].insert(), rows)
    groups = connection.execute(
        sa.select(t.memberships.c.group_id)
        .where(t.memberships.c.snapshot_id == snapshot_id)
        .where(t.memberships.c.user_id == user.id)
    ).scalars()
    held = _held_entitlements(connection, snapshot_id, "USER", user.id)
    _touch(
        connection,
        snapshot_id,
        [("User", user.id), *(("Group", g) for g in groups), *held],
        now,
    )


def remove_user(
    connection: sa.Connection, user_id: str, now: datetime, snapshot_id: int | None = None
) -> None:
    """The user, its memberships and its assignments leave the snapshot."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    touched = _principal_leaves(connection, snapshot_id, "USER", user_id)
    groups = list(
        connection.execute(
            sa.select(t.memberships.c.group_id)
            .where(t.memberships.c.snapshot_id == snapshot_id)
            .where(t.memberships.c.user_id == user_id)
        ).scalars()
    )
    connection.execute(
        t.memberships.delete()
        .where(t.memberships.c.snapshot_id == snapshot_id)
        .where(t.memberships.c.user_id == user_id)
    )
    _delete_user_rows(connection, snapshot_id, user_id)
    _touch(connection, snapshot_id, [*touched, *(("Group", g) for g in groups)], now)
    _mark_removed(connection, [("User", user_id)], now)


def put_group(
    connection: sa.Connection, group: Group, now: datetime, snapshot_id: int | None = None
) -> None:
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    _delete_group_rows(connection, snapshot_id, group.id)
    for name, rows in snapshot_rows(Snapshot("", "", groups=(group,)), snapshot_id).items():
        if rows:
            connection.execute(t.metadata.tables[name].insert(), rows)
    members = connection.execute(
        sa.select(t.memberships.c.user_id)
        .where(t.memberships.c.snapshot_id == snapshot_id)
        .where(t.memberships.c.group_id == group.id)
    ).scalars()
    held = _held_entitlements(connection, snapshot_id, "GROUP", group.id)
    _touch(
        connection,
        snapshot_id,
        [("Group", group.id), *(("User", u) for u in members), *held],
        now,
    )


def remove_group(
    connection: sa.Connection, group_id: str, now: datetime, snapshot_id: int | None = None
) -> None:
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    touched = _principal_leaves(connection, snapshot_id, "GROUP", group_id)
    members = list(
        connection.execute(
            sa.select(t.memberships.c.user_id)
            .where(t.memberships.c.snapshot_id == snapshot_id)
            .where(t.memberships.c.group_id == group_id)
        ).scalars()
    )
    connection.execute(
        t.memberships.delete()
        .where(t.memberships.c.snapshot_id == snapshot_id)
        .where(t.memberships.c.group_id == group_id)
    )
    _delete_group_rows(connection, snapshot_id, group_id)
    _touch(connection, snapshot_id, [*touched, *(("User", u) for u in members)], now)
    _mark_removed(connection, [("Group", group_id)], now)


# -- rows ---------------------------------------------------------------------------


def _snapshot(connection: sa.Connection, snapshot_id: int | None) -> int | None:
    # No snapshot yet: nothing is served, and the first sync will read the change.
    if snapshot_id is not None:
        return snapshot_id
    # FOR SHARE (PostgreSQL; SQLite's write transaction already excludes it):
    # a sync publishing now either switches first, and this change goes to the
    # new snapshot, or waits for it, and replays it (connector.writers.replay).
    return connection.execute(
        sa.select(t.current_snapshot.c.snapshot_id).with_for_update(read=True)
    ).scalar_one_or_none()


def _delete_assignment(connection: sa.Connection, snapshot_id: int, a: Assignment) -> None:
    connection.execute(
        t.assignments.delete()
        .where(t.assignments.c.snapshot_id == snapshot_id)
        .where(t.assignments.c.account_id == a.account_id)
        .where(t.assignments.c.permission_set_arn == a.permission_set_arn)
        .where(t.assignments.c.principal_type == a.principal_type)
        .where(t.assignments.c.principal_id == a.principal_id)
    )


def _delete_membership(
    connection: sa.Connection, snapshot_id: int, group_id: str, user_id: str
) -> None:
    connection.execute(
        t.memberships.delete()
        .where(t.memberships.c.snapshot_id == snapshot_id)
        .where(t.memberships.c.group_id == group_id)
        .where(t.memberships.c.user_id == user_id)
    )


def _delete_user_rows(connection: sa.Connection, snapshot_id: int, user_id: str) -> None:
    for table in (t.user_emails, t.user_phone_numbers, t.user_addresses):
        connection.execute(
            table.delete()
            .where(table.c.snapshot_id == snapshot_id)
            .where(table.c.user_id == user_id)
        )
    _delete_external_ids(connection, snapshot_id, "user", user_id)
    connection.execute(
        t.users.delete().where(t.users.c.snapshot_id == snapshot_id).where(t.users.c.id == user_id)
    )


def _delete_group_rows(connection: sa.Connection, snapshot_id: int, group_id: str) -> None:
    _delete_external_ids(connection, snapshot_id, "group", group_id)
    connection.execute(
        t.groups.delete()
        .where(t.groups.c.snapshot_id == snapshot_id)
        .where(t.groups.c.id == group_id)
    )


def _delete_external_ids(
    connection: sa.Connection, snapshot_id: int, owner_type: str, owner_id: str
) -> None:
    connection.execute(
        t.external_ids.delete()
        .where(t.external_ids.c.snapshot_id == snapshot_id)
        .where(t.external_ids.c.owner_type == owner_type)
        .where(t.external_ids.c.owner_id == owner_id)
    )


def _principal_leaves(
    connection: sa.Connection, snapshot_id: int, principal_type: str, principal_id: str
) -> list[Resource]:
    """Remove a deleted principal's assignments; the entitlements that showed them."""
    held = connection.execute(
        sa.select(t.assignments.c.account_id, t.assignments.c.permission_set_arn)
        .where(t.assignments.c.snapshot_id == snapshot_id)
        .where(t.assignments.c.principal_type == principal_type)
        .where(t.assignments.c.principal_id == principal_id)
    ).all()
    connection.execute(
        t.assignments.delete()
        .where(t.assignments.c.snapshot_id == snapshot_id)
        .where(t.assignments.c.principal_type == principal_type)
        .where(t.assignments.c.principal_id == principal_id)
    )
    return [("Entitlement", entitlement_id(row.account_id, row.permission_set_arn)) for row in held]


def _held_entitlements(
    connection: sa.Connection, snapshot_id: int, principal_type: str, principal_id: str
) -> list[Resource]:
    """The entitlements that list the principal (by name) among their members."""
    rows = connection.execute(
        sa.select(t.assignments.c.account_id, t.assignments.c.permission_set_arn)
        .where(t.assignments.c.snapshot_id == snapshot_id)
        .where(t.assignments.c.principal_type == principal_type)
        .where(t.assignments.c.principal_id == principal_id)
    ).all()
    return [("Entitlement", entitlement_id(r.account_id, r.permission_set_arn)) for r in rows]


def _assignment_resources(a: Assignment) -> list[Resource]:
    kind = "User" if a.principal_type == "USER" else "Group"
    return [
        (kind, a.principal_id),
        ("Entitlement", entitlement_id(a.account_id, a.permission_set_arn)),
    ]


def _membership_resources(group_id: str, user_id: str) -> list[Resource]:
    return [("Group", group_id), ("User", user_id)]


# -- what readers see ---------------------------------------------------------------


def _touch(
    connection: sa.Connection, snapshot_id: int, resources: Iterable[Resource], now: datetime
) -> None:
    """Forget stale rendered documents; record each resource as changed now."""
    versions = t.object_versions
    for resource_type, resource_id in dict.fromkeys(resources):
        connection.execute(
            t.rendered_documents.delete()
            .where(t.rendered_documents.c.snapshot_id == snapshot_id)
            .where(t.rendered_documents.c.resource_type == resource_type)
            .where(t.rendered_documents.c.id == resource_id)
        )
        key = (f"{RESOURCE_PREFIX}{resource_type}", resource_id)
        previous = connection.execute(
            sa.select(versions.c.content_hash)
            .where(versions.c.object_type == key[0])
            .where(versions.c.object_id == key[1])
        ).scalar_one_or_none()
        digest = hashlib.sha256(f"{previous}|{now.isoformat()}".encode()).hexdigest()
        if previous is None:
            connection.execute(
                versions.insert().values(
                    object_type=key[0],
                    object_id=key[1],
                    content_hash=digest,
                    created_at=now,
                    last_modified_at=now,
                    removed_at=None,
                    last_sync_id=snapshot_id,
                )
            )
        else:
            connection.execute(
                versions.update()
                .where(versions.c.object_type == key[0])
                .where(versions.c.object_id == key[1])
                .values(content_hash=digest, last_modified_at=now, removed_at=None)
            )


def _touch_members(
    connection: sa.Connection, snapshot_id: int, assignment: Assignment, now: datetime
) -> None:
    """A group's grant changes its members' access: their version and lastModified
    move (delta aggregation finds them), as a sync's resource digests would."""
    if assignment.principal_type != "GROUP":
        return
    members = (
        sa.select(t.memberships.c.user_id)
        .where(t.memberships.c.snapshot_id == snapshot_id)
        .where(t.memberships.c.group_id == assignment.principal_id)
    )
    connection.execute(
        t.rendered_documents.delete()
        .where(t.rendered_documents.c.snapshot_id == snapshot_id)
        .where(t.rendered_documents.c.resource_type == "User")
        .where(t.rendered_documents.c.id.in_(members))
    )
    digest = hashlib.sha256(
        f"{assignment.principal_id}|{assignment.account_id}|{now.isoformat()}".encode()
    ).hexdigest()
    connection.execute(
        t.object_versions.update()
        .where(t.object_versions.c.object_type == f"{RESOURCE_PREFIX}User")
        .where(t.object_versions.c.object_id.in_(members))
        .values(content_hash=digest, last_modified_at=now)
    )


def _mark_removed(connection: sa.Connection, resources: Iterable[Resource], now: datetime) -> None:
    versions = t.object_versions
    for resource_type, resource_id in resources:
        connection.execute(
            versions.update()
            .where(versions.c.object_type == f"{RESOURCE_PREFIX}{resource_type}")
            .where(versions.c.object_id == resource_id)
            .values(removed_at=now, last_modified_at=now)
        )
