"""Who made each assignment and membership: kept across snapshots, gone with its access.

Assignments to accounts and to applications alike: AWS records the creator
and date of neither (only CloudTrail's event of its making does).

A sync reads what exists from AWS but not who made it, so provenance lives
beside the snapshots (records.Provenance). The write path records it for the
connector's own grants (`put`), the change feed for changes it saw in
CloudTrail (`note`: unless a later making is known), and every removal of an access forgets its
row, so an access made again later is never shown with its predecessor's
provenance. A sync drops the rows of access its snapshot no longer holds
(`prune`), which catches the removals no write or event reported.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from connector.records import (
    ApplicationAssignment,
    ApplicationAssignmentProvenance,
    Assignment,
    AssignmentProvenance,
    Membership,
    MembershipProvenance,
    Provenance,
)
from connector.store import tables as t

_ASSIGNMENT_KEY = ("account_id", "permission_set_arn", "principal_type", "principal_id")
_MEMBERSHIP_KEY = ("group_id", "user_id")
_APPLICATION_KEY = ("application_arn", "principal_type", "principal_id")

# Keeps IN lists within SQLite's and PostgreSQL's parameter limits.
_CHUNK = 900

# An assignment (to an account or an application), or a membership as (group, user).
Access = Assignment | ApplicationAssignment | tuple[str, str]


def put(connection: sa.Connection, access: Access, provenance: Provenance) -> None:
    """Record the connector's own making of `access`, replacing what was known."""
    forget(connection, [access])
    table, key = _keyed(access)
    connection.execute(table.insert(), [{**key, **asdict(provenance)}])


def note(connection: sa.Connection, access: Access, provenance: Provenance) -> bool:
    """Record what the change feed saw, unless a later making is known already;
    whether it was recorded. Events arrive out of order: of an access made,
    removed and made again, the latest making is the one that holds.

    CloudTrail's eventTime is to the second, the connector's own makings to the
    microsecond: they are compared to the second, and within one second the
    event wins. The feed never notes the connector's own writes (it knows their
    request ids), so another making the feed reports of an access the connector
    made within that second is almost always its making again (removed and made
    again, as an administrator undoing the connector's grant does).
    """
    table, key = _keyed(access)
    found = connection.execute(sa.select(table).where(*_matches(table, key))).first()
    if found is not None:
        known = _provenance(found)
        if known == provenance or (
            known.granted_at is not None
            and provenance.granted_at is not None
            and provenance.granted_at < known.granted_at.replace(microsecond=0)
        ):
            return False
        forget(connection, [access])
    connection.execute(table.insert(), [{**key, **asdict(provenance)}])
    return True


def forget(connection: sa.Connection, accesses: Iterable[Access]) -> None:
    for access in accesses:
        table, key = _keyed(access)
        connection.execute(table.delete().where(*_matches(table, key)))


def forget_principal(connection: sa.Connection, principal_type: str, principal_id: str) -> None:
    """A deleted user or group holds nothing: its assignments and memberships go."""
    for a in (t.assignment_provenance, t.application_assignment_provenance):
        connection.execute(
            a.delete().where(a.c.principal_type == principal_type, a.c.principal_id == principal_id)
        )
    m = t.membership_provenance
    column = m.c.user_id if principal_type == "USER" else m.c.group_id
    connection.execute(m.delete().where(column == principal_id))


def prune(connection: sa.Connection, snapshot_id: int) -> None:
    """Drop the provenance of access the snapshot does not hold."""
    for table, snapshot_table, key in (
        (t.assignment_provenance, t.assignments, _ASSIGNMENT_KEY),
        (t.membership_provenance, t.memberships, _MEMBERSHIP_KEY),
        (t.application_assignment_provenance, t.application_assignments, _APPLICATION_KEY),
    ):
        held = (
            sa.select(sa.literal(1))
            .where(snapshot_table.c.snapshot_id == snapshot_id)
            .where(*(snapshot_table.c[name] == table.c[name] for name in key))
        )
        connection.execute(table.delete().where(~held.exists()))


def every_row(
    connection: sa.Connection,
) -> tuple[tuple[AssignmentProvenance, ...], tuple[MembershipProvenance, ...]]:
    """All provenance kept: after `prune`, that of every access the snapshot holds."""
    return (
        tuple(_assignment(r) for r in connection.execute(sa.select(t.assignment_provenance))),
        tuple(_membership(r) for r in connection.execute(sa.select(t.membership_provenance))),
    )


def every_application_row(connection: sa.Connection) -> tuple[ApplicationAssignmentProvenance, ...]:
    """All provenance of application assignments kept (see `every_row`)."""
    rows = connection.execute(sa.select(t.application_assignment_provenance))
    return tuple(map(_application_assignment, rows))


def of_assignments(
    connection: sa.Connection, assignments: Collection[Assignment]
) -> list[AssignmentProvenance]:
    wanted = set(assignments)
    column = t.assignment_provenance.c.principal_id
    rows = _rows_where(connection, column, {x.principal_id for x in wanted})
    return [p for p in map(_assignment, rows) if p.assignment in wanted]


def of_memberships(
    connection: sa.Connection, memberships: Collection[Membership]
) -> list[MembershipProvenance]:
    wanted = {(x.group_id, x.user_id) for x in memberships}
    column = t.membership_provenance.c.user_id
    rows = _rows_where(connection, column, {user_id for _, user_id in wanted})
    return [p for p in map(_membership, rows) if (p.group_id, p.user_id) in wanted]


def of_application_assignments(
    connection: sa.Connection, assignments: Collection[ApplicationAssignment]
) -> list[ApplicationAssignmentProvenance]:
    wanted = set(assignments)
    column = t.application_assignment_provenance.c.principal_id
    rows = _rows_where(connection, column, {x.principal_id for x in wanted})
    return [p for p in map(_application_assignment, rows) if p.assignment in wanted]


def _rows_where(
    connection: sa.Connection, column: sa.Column[str], values: Collection[str]
) -> Iterator[Any]:
    """The rows of `column`'s table whose `column` is one of `values`."""
    for chunk in _chunks(values):
        yield from connection.execute(sa.select(column.table).where(column.in_(chunk)))


def _keyed(access: Access) -> tuple[sa.Table, dict[str, str]]:
    if isinstance(access, Assignment):
        return t.assignment_provenance, {name: getattr(access, name) for name in _ASSIGNMENT_KEY}
    if isinstance(access, ApplicationAssignment):
        return t.application_assignment_provenance, {
            name: getattr(access, name) for name in _APPLICATION_KEY
        }
    return t.membership_provenance, dict(zip(_MEMBERSHIP_KEY, access, strict=True))


def _matches(table: sa.Table, key: dict[str, str]) -> list[sa.ColumnElement[bool]]:
    return [table.c[name] == value for name, value in key.items()]


def _provenance(row: Any) -> Provenance:
    return Provenance(row.granted_at, row.granted_by, row.operation_id)


def _assignment(row: Any) -> AssignmentProvenance:
    return AssignmentProvenance(
        Assignment(*(getattr(row, name) for name in _ASSIGNMENT_KEY)), _provenance(row)
    )


def _membership(row: Any) -> MembershipProvenance:
    return MembershipProvenance(row.group_id, row.user_id, _provenance(row))


def _application_assignment(row: Any) -> ApplicationAssignmentProvenance:
    return ApplicationAssignmentProvenance(
        ApplicationAssignment(*(getattr(row, name) for name in _APPLICATION_KEY)), _provenance(row)
    )


def _chunks(values: Collection[str]) -> Iterable[list[str]]:
    items = sorted(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
