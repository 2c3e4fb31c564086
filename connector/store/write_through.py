"""Write-through: a change AWS confirmed shows in the served snapshot at once.

Used by the write path (a step that ended) and by the change feed (an object
re-read after AWS reported a change), so both change the snapshot, its change
record and its rendered documents the way the next sync would.

The next read after a successful write must show it, without waiting for the
next sync (which will read the same from AWS). Each function changes the
current snapshot's rows the way the next sync would, naming the rows it
changes to `resource_changes.recording`: that finds the served resources
whose digests read them (each served type's own dependencies,
connector.served), records those whose digest moved with the digest the next
sync will compute, and forgets their rendered documents (built again from the
rows on the next read). So `meta.lastModified`, `meta.version` and delta
aggregation see the write, and the next sync agrees with what it recorded.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa

from connector.records import (
    Account,
    Application,
    ApplicationAssignment,
    Assignment,
    Group,
    Membership,
    PermissionSet,
    Provenance,
    ProvisionedPair,
    Snapshot,
    User,
)
from connector.served.rows import (
    AccountRow,
    ApplicationRow,
    GroupRow,
    MembershipRow,
    PermissionSetRow,
    Row,
    UserRow,
)
from connector.store import provenance as kept
from connector.store import tables as t
from connector.store.codec import snapshot_rows
from connector.store.resource_changes import recording
from connector.store.served_rows import StoredRows


def grant(
    connection: sa.Connection,
    assignment: Assignment,
    now: datetime,
    snapshot_id: int | None = None,
    provenance: Provenance | None = None,
) -> None:
    """The assignment joins the snapshot; `provenance`, where the connector made it."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    pair = ProvisionedPair(assignment.account_id, assignment.permission_set_arn)
    with recording(connection, snapshot_id, [assignment, pair], now):
        if provenance is not None:
            kept.put(connection, assignment, provenance)
        _delete_assignment(connection, snapshot_id, assignment)
        _insert(connection, snapshot_id, Snapshot("", "", assignments=(assignment,)))
        exists = connection.execute(
            sa.select(sa.literal(1))
            .where(t.provisioned_pairs.c.snapshot_id == snapshot_id)
            .where(t.provisioned_pairs.c.account_id == pair.account_id)
            .where(t.provisioned_pairs.c.permission_set_arn == pair.permission_set_arn)
        ).first()
        if exists is None:
            _insert(connection, snapshot_id, Snapshot("", "", provisioned_pairs=(pair,)))


def revoke(
    connection: sa.Connection, assignment: Assignment, now: datetime, snapshot_id: int | None = None
) -> None:
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    with recording(connection, snapshot_id, [assignment], now):
        kept.forget(connection, [assignment])
        _delete_assignment(connection, snapshot_id, assignment)


def note_grant(
    connection: sa.Connection,
    assignment: Assignment | ApplicationAssignment,
    provenance: Provenance,
    now: datetime,
    snapshot_id: int,
) -> bool:
    """Keep who made an assignment (to an account or an application) the snapshot
    holds, as the change feed saw it in CloudTrail, unless a later making is
    known; whether anything changed.

    Memberships need none: the Identity Store keeps their CreatedAt and CreatedBy.
    """
    rows = StoredRows(connection, snapshot_id)
    held = (
        rows.assignments(pairs=[(assignment.account_id, assignment.permission_set_arn)])
        if isinstance(assignment, Assignment)
        else rows.application_assignments(application_arns=[assignment.application_arn])
    )
    if assignment not in held:
        return False
    with recording(connection, snapshot_id, [assignment], now):
        return kept.note(connection, assignment, provenance)


def add_member(
    connection: sa.Connection,
    membership: Membership,
    now: datetime,
    snapshot_id: int | None = None,
    provenance: Provenance | None = None,
) -> None:
    """The membership joins the snapshot; `provenance`, where the connector made it."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    changed = [MembershipRow(membership.group_id, membership.user_id)]
    with recording(connection, snapshot_id, changed, now):
        if provenance is not None:
            kept.put(connection, (membership.group_id, membership.user_id), provenance)
        _delete_membership(connection, snapshot_id, membership.group_id, membership.user_id)
        _insert(connection, snapshot_id, Snapshot("", "", memberships=(membership,)))


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
    with recording(connection, snapshot_id, [MembershipRow(group_id, user_id)], now):
        kept.forget(connection, [(group_id, user_id)])
        _delete_membership(connection, snapshot_id, group_id, user_id)


def put_user(
    connection: sa.Connection, user: User, now: datetime, snapshot_id: int | None = None
) -> None:
    """Insert or replace a user as AWS now describes it."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    with recording(connection, snapshot_id, [UserRow(user.id)], now):
        _delete_user_rows(connection, snapshot_id, user.id)
        _insert(connection, snapshot_id, Snapshot("", "", users=(user,)))


def remove_user(
    connection: sa.Connection, user_id: str, now: datetime, snapshot_id: int | None = None
) -> None:
    """The user, its memberships and its assignments leave the snapshot."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    changed = _principal_rows(connection, snapshot_id, "USER", user_id)
    with recording(connection, snapshot_id, [UserRow(user_id), *changed], now):
        _delete_principal_rows(connection, snapshot_id, "USER", user_id)
        _delete_user_rows(connection, snapshot_id, user_id)


def put_group(
    connection: sa.Connection, group: Group, now: datetime, snapshot_id: int | None = None
) -> None:
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    with recording(connection, snapshot_id, [GroupRow(group.id)], now):
        _delete_group_rows(connection, snapshot_id, group.id)
        _insert(connection, snapshot_id, Snapshot("", "", groups=(group,)))


def remove_group(
    connection: sa.Connection, group_id: str, now: datetime, snapshot_id: int | None = None
) -> None:
    """The group, its memberships and its assignments leave the snapshot."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    changed = _principal_rows(connection, snapshot_id, "GROUP", group_id)
    with recording(connection, snapshot_id, [GroupRow(group_id), *changed], now):
        _delete_principal_rows(connection, snapshot_id, "GROUP", group_id)
        _delete_group_rows(connection, snapshot_id, group_id)


def put_permission_set(
    connection: sa.Connection,
    permission_set: PermissionSet,
    now: datetime,
    snapshot_id: int | None = None,
) -> None:
    """Insert or replace a permission set as AWS now describes it (the change feed)."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    with recording(connection, snapshot_id, [PermissionSetRow(permission_set.arn)], now):
        _delete_keyed(connection, t.permission_sets, snapshot_id, arn=permission_set.arn)
        _insert(connection, snapshot_id, Snapshot("", "", permission_sets=(permission_set,)))


def remove_permission_set(
    connection: sa.Connection, arn: str, now: datetime, snapshot_id: int | None = None
) -> None:
    """A deleted permission set leaves with where it was provisioned (AWS refuses to
    delete one that is still assigned, so no assignment names it)."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    provisioned = [
        ProvisionedPair(row.account_id, arn)
        for row in connection.execute(
            sa.select(t.provisioned_pairs.c.account_id)
            .where(t.provisioned_pairs.c.snapshot_id == snapshot_id)
            .where(t.provisioned_pairs.c.permission_set_arn == arn)
        )
    ]
    with recording(connection, snapshot_id, [PermissionSetRow(arn), *provisioned], now):
        _delete_keyed(connection, t.provisioned_pairs, snapshot_id, permission_set_arn=arn)
        _delete_keyed(connection, t.outdated_provisioning, snapshot_id, permission_set_arn=arn)
        _delete_keyed(connection, t.permission_sets, snapshot_id, arn=arn)


def set_provisioned(
    connection: sa.Connection,
    pair: ProvisionedPair,
    provisioned: bool,
    now: datetime,
    snapshot_id: int | None = None,
) -> None:
    """Record whether the permission set is provisioned to the account."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    with recording(connection, snapshot_id, [pair], now):
        _delete_keyed(
            connection,
            t.provisioned_pairs,
            snapshot_id,
            account_id=pair.account_id,
            permission_set_arn=pair.permission_set_arn,
        )
        if provisioned:
            _insert(connection, snapshot_id, Snapshot("", "", provisioned_pairs=(pair,)))


def set_outdated(
    connection: sa.Connection, arn: str, account_ids: Collection[str], snapshot_id: int
) -> None:
    """Record the accounts whose copy of the permission set is out of date, replacing
    what the snapshot held (the drift report reads them; no served resource shows them)."""
    _delete_keyed(connection, t.outdated_provisioning, snapshot_id, permission_set_arn=arn)
    pairs = tuple(ProvisionedPair(account_id, arn) for account_id in sorted(account_ids))
    if pairs:
        _insert(connection, snapshot_id, Snapshot("", "", outdated_pairs=pairs))


def put_account(
    connection: sa.Connection, account: Account, now: datetime, snapshot_id: int | None = None
) -> None:
    """Insert or replace an account as Organizations now describes it."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    with recording(connection, snapshot_id, [AccountRow(account.id)], now):
        _delete_keyed(connection, t.accounts, snapshot_id, id=account.id)
        _insert(connection, snapshot_id, Snapshot("", "", accounts=(account,)))


def remove_account(
    connection: sa.Connection, account_id: str, now: datetime, snapshot_id: int | None = None
) -> None:
    """An account that left the organization: it is no longer named (assignments to
    it stay as AWS keeps them, and as the sync serves them)."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    with recording(connection, snapshot_id, [AccountRow(account_id)], now):
        _delete_keyed(connection, t.accounts, snapshot_id, id=account_id)


def grant_application(
    connection: sa.Connection,
    assignment: ApplicationAssignment,
    now: datetime,
    snapshot_id: int | None = None,
    provenance: Provenance | None = None,
) -> None:
    """The application assignment joins the snapshot; `provenance`, where the
    connector made it."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    with recording(connection, snapshot_id, [assignment], now):
        if provenance is not None:
            kept.put(connection, assignment, provenance)
        _delete_application_assignment(connection, snapshot_id, assignment)
        _insert(connection, snapshot_id, Snapshot("", "", application_assignments=(assignment,)))


def revoke_application(
    connection: sa.Connection,
    assignment: ApplicationAssignment,
    now: datetime,
    snapshot_id: int | None = None,
) -> None:
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    with recording(connection, snapshot_id, [assignment], now):
        kept.forget(connection, [assignment])
        _delete_application_assignment(connection, snapshot_id, assignment)


def put_application(
    connection: sa.Connection,
    application: Application,
    now: datetime,
    snapshot_id: int | None = None,
) -> None:
    """Insert or replace an application as AWS now describes it (the change feed)."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    with recording(connection, snapshot_id, [ApplicationRow(application.arn)], now):
        _delete_keyed(connection, t.applications, snapshot_id, arn=application.arn)
        _insert(connection, snapshot_id, Snapshot("", "", applications=(application,)))


def remove_application(
    connection: sa.Connection, arn: str, now: datetime, snapshot_id: int | None = None
) -> None:
    """A deleted application leaves with its assignments (AWS deletes them with it)."""
    snapshot_id = _snapshot(connection, snapshot_id)
    if snapshot_id is None:
        return
    held = [
        ApplicationAssignment(arn, row.principal_type, row.principal_id)
        for row in connection.execute(
            sa.select(t.application_assignments)
            .where(t.application_assignments.c.snapshot_id == snapshot_id)
            .where(t.application_assignments.c.application_arn == arn)
        )
    ]
    with recording(connection, snapshot_id, [ApplicationRow(arn), *held], now):
        kept.forget(connection, held)
        _delete_keyed(connection, t.application_assignments, snapshot_id, application_arn=arn)
        _delete_keyed(connection, t.applications, snapshot_id, arn=arn)


# -- rows ---------------------------------------------------------------------------


def _insert(connection: sa.Connection, snapshot_id: int, records: Snapshot) -> None:
    """Insert `records` into the snapshot's tables as a sync stores them
    (codec.snapshot_rows), a user's or group's child rows included."""
    for name, rows in snapshot_rows(records, snapshot_id).items():
        if rows:
            connection.execute(t.metadata.tables[name].insert(), rows)


def _delete_keyed(connection: sa.Connection, table: sa.Table, snapshot_id: int, **key: str) -> None:
    statement = table.delete().where(table.c.snapshot_id == snapshot_id)
    for name, value in key.items():
        statement = statement.where(table.c[name] == value)
    connection.execute(statement)


def changing_snapshot_id(connection: sa.Connection) -> int | None:
    """The served snapshot, held against a publish for the caller's transaction; None
    when nothing is served yet (the first sync will read the change).

    FOR SHARE (PostgreSQL; SQLite's write transaction already excludes it): a sync
    publishing now either switches first, and the change goes to the new snapshot,
    or waits for it, and replays it (connector.writers.replay).
    """
    return connection.execute(
        sa.select(t.current_snapshot.c.snapshot_id).with_for_update(read=True)
    ).scalar_one_or_none()


def _snapshot(connection: sa.Connection, snapshot_id: int | None) -> int | None:
    return snapshot_id if snapshot_id is not None else changing_snapshot_id(connection)


def _delete_assignment(connection: sa.Connection, snapshot_id: int, a: Assignment) -> None:
    connection.execute(
        t.assignments.delete()
        .where(t.assignments.c.snapshot_id == snapshot_id)
        .where(t.assignments.c.account_id == a.account_id)
        .where(t.assignments.c.permission_set_arn == a.permission_set_arn)
        .where(t.assignments.c.principal_type == a.principal_type)
        .where(t.assignments.c.principal_id == a.principal_id)
    )


def _delete_application_assignment(
    connection: sa.Connection, snapshot_id: int, a: ApplicationAssignment
) -> None:
    _delete_keyed(
        connection,
        t.application_assignments,
        snapshot_id,
        application_arn=a.application_arn,
        principal_type=a.principal_type,
        principal_id=a.principal_id,
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


def _principal_rows(
    connection: sa.Connection, snapshot_id: int, principal_type: str, principal_id: str
) -> list[Row]:
    """The memberships and assignments that leave with a deleted principal."""
    rows = StoredRows(connection, snapshot_id)
    memberships = (
        rows.memberships(user_ids=[principal_id])
        if principal_type == "USER"
        else rows.memberships(group_ids=[principal_id])
    )
    held = rows.assignments(principals=[(principal_type, principal_id)])
    applications = [
        ApplicationAssignment(row.application_arn, principal_type, principal_id)
        for row in connection.execute(
            sa.select(t.application_assignments.c.application_arn)
            .where(t.application_assignments.c.snapshot_id == snapshot_id)
            .where(t.application_assignments.c.principal_type == principal_type)
            .where(t.application_assignments.c.principal_id == principal_id)
        )
    ]
    return [*(MembershipRow(m.group_id, m.user_id) for m in memberships), *held, *applications]


def _delete_principal_rows(
    connection: sa.Connection, snapshot_id: int, principal_type: str, principal_id: str
) -> None:
    """Delete a deleted principal's assignments (to accounts and to applications: AWS
    deletes the latter with it) and memberships, and their provenance."""
    kept.forget_principal(connection, principal_type, principal_id)
    for table in (t.assignments, t.application_assignments):
        _delete_keyed(
            connection,
            table,
            snapshot_id,
            principal_type=principal_type,
            principal_id=principal_id,
        )
    member = t.memberships.c.user_id if principal_type == "USER" else t.memberships.c.group_id
    connection.execute(
        t.memberships.delete()
        .where(t.memberships.c.snapshot_id == snapshot_id)
        .where(member == principal_id)
    )
