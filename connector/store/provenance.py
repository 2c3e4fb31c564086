"""Who made each assignment and membership: kept across snapshots, gone with its access.

A sync reads what exists from AWS but not who made it, so provenance lives
beside the snapshots (records.Provenance). The write path records it for the
connector's own grants (`put`), the change feed for changes it saw in
CloudTrail (`note`: unless a later making is known), and every removal of an access forgets its
row, so an access made again later is never shown with its predecessor's
provenance. A sync drops the rows of access its snapshot no longer holds
(`prune`), which catches the removals no write or event reported.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from connector.records import (
    Assignment,
    AssignmentProvenance,
    Membership,
    MembershipProvenance,
    Provenance,
)
from connector.store import tables as t

_ASSIGNMENT_KEY = ("account_id", "permission_set_arn", "principal_type", "principal_id")
_MEMBERSHIP_KEY = ("group_id", "user_id")

# Keeps IN lists within SQLite's and PostgreSQL's parameter limits.
_CHUNK = 900

Access = Assignment | tuple[str, str]  # an assignment, or a membership as (group, user)


def put(connection: sa.Connection, access: Access, provenance: Provenance) -> None:
    """Record the connector's own making of `access`, replacing what was known."""
    forget(connection, [access])
    table, key = _keyed(access)
    connection.execute(table.insert(), [{**key, **asdict(provenance)}])


def note(connection: sa.Connection, access: Access, provenance: Provenance) -> bool:
    """Record what the change feed saw, unless a later making is known already;
    whether it was recorded. Events arrive out of order: of an access made,
    removed and made again, the latest making is the one that holds."""
    table, key = _keyed(access)
    known = connection.execute(sa.select(table.c.granted_at).where(*_matches(table, key))).first()
    if known is not None:
        if (
            known.granted_at is not None
            and provenance.granted_at is not None
            and provenance.granted_at <= known.granted_at
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
    a = t.assignment_provenance
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


def of_assignments(
    connection: sa.Connection, assignments: Collection[Assignment]
) -> list[AssignmentProvenance]:
    a = t.assignment_provenance
    wanted = set(assignments)
    found: list[AssignmentProvenance] = []
    for principal_ids in _chunks({x.principal_id for x in wanted}):
        rows = connection.execute(sa.select(a).where(a.c.principal_id.in_(principal_ids)))
        found += [p for p in map(_assignment, rows) if p.assignment in wanted]
    return found


def of_memberships(
    connection: sa.Connection, memberships: Collection[Membership]
) -> list[MembershipProvenance]:
    m = t.membership_provenance
    wanted = {(x.group_id, x.user_id) for x in memberships}
    found: list[MembershipProvenance] = []
    for user_ids in _chunks({user_id for _, user_id in wanted}):
        rows = connection.execute(sa.select(m).where(m.c.user_id.in_(user_ids)))
        found += [p for p in map(_membership, rows) if (p.group_id, p.user_id) in wanted]
    return found


def _keyed(access: Access) -> tuple[sa.Table, dict[str, str]]:
    if isinstance(access, Assignment):
        return t.assignment_provenance, {name: getattr(access, name) for name in _ASSIGNMENT_KEY}
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


def _chunks(values: Collection[str]) -> Iterable[list[str]]:
    items = sorted(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
