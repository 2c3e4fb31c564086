"""The `Rows` questions of the served types (connector.served.rows), asked of the store.

Write-through asks them of the snapshot it changes: which resources a changed
row touches, and the rows their digests read. Each question is one query per
chunk of keys, whatever the number of resources, so a write to a group of
thousands of members reads a few dozen queries' worth, not one per member.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

import sqlalchemy as sa

from connector.record_keys import permission_set_id
from connector.records import (
    Account,
    Application,
    ApplicationAssignment,
    ApplicationAssignmentProvenance,
    Assignment,
    AssignmentProvenance,
    Group,
    Membership,
    MembershipProvenance,
    PermissionSet,
    ProvisionedPair,
    User,
)
from connector.served.rows import Pair, Principal
from connector.store import provenance, reads
from connector.store import tables as t
from connector.store.codec import membership_from_row

# Keeps IN lists within SQLite's and PostgreSQL's parameter limits.
_CHUNK = 900


def _chunks(values: Collection[Any]) -> Iterator[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class StoredRows:
    """The rows of one snapshot as they are now, read inside the caller's transaction.

    Users and groups are kept once read: the digests of a group's members and
    of the group itself read the same users. Ask a new one after changing rows.
    """

    def __init__(self, connection: sa.Connection, snapshot_id: int) -> None:
        self._connection = connection
        self._snapshot_id = snapshot_id
        self._users: dict[str, User | None] = {}
        self._groups: dict[str, Group | None] = {}

    def users(self, ids: Collection[str]) -> list[User]:
        missing = set(ids) - self._users.keys()
        if missing:
            found = reads.users(self._connection, self._snapshot_id, missing)
            self._users.update({i: found.get(i) for i in missing})
        return [user for i in ids if (user := self._users[i]) is not None]

    def groups(self, ids: Collection[str]) -> list[Group]:
        missing = set(ids) - self._groups.keys()
        if missing:
            found = reads.groups(self._connection, self._snapshot_id, missing)
            self._groups.update({i: found.get(i) for i in missing})
        return [group for i in ids if (group := self._groups[i]) is not None]

    def memberships(
        self, *, user_ids: Collection[str] = (), group_ids: Collection[str] = ()
    ) -> list[Membership]:
        m = t.memberships
        found = self._select(m, m.c.user_id, user_ids) + self._select(m, m.c.group_id, group_ids)
        return list(dict.fromkeys(membership_from_row(r) for r in found))

    def assignments(
        self,
        *,
        principals: Collection[Principal] = (),
        pairs: Collection[Pair] = (),
        permission_set_arns: Collection[str] = (),
        account_ids: Collection[str] = (),
    ) -> list[Assignment]:
        a = t.assignments
        found = self._held_by(a, principals)
        wanted = set(pairs)
        found += [
            row
            for row in self._select(a, a.c.account_id, {account for account, _ in wanted})
            if (row.account_id, row.permission_set_arn) in wanted
        ]
        found += self._select(a, a.c.permission_set_arn, permission_set_arns)
        found += self._select(a, a.c.account_id, account_ids)
        return list(
            dict.fromkeys(
                Assignment(r.account_id, r.permission_set_arn, r.principal_type, r.principal_id)
                for r in found
            )
        )

    def assignment_provenance(
        self, assignments: Collection[Assignment]
    ) -> list[AssignmentProvenance]:
        return provenance.of_assignments(self._connection, assignments)

    def membership_provenance(
        self, memberships: Collection[Membership]
    ) -> list[MembershipProvenance]:
        return provenance.of_memberships(self._connection, memberships)

    def permission_sets(
        self, *, arns: Collection[str] = (), ids: Collection[str] = ()
    ) -> list[PermissionSet]:
        wanted = {*ids, *(permission_set_id(arn) for arn in arns)}
        if not wanted:
            return []
        found = reads.permission_sets(self._connection, self._snapshot_id, wanted).values()
        return [ps for ps in found if ps.arn in arns or permission_set_id(ps.arn) in ids]

    def accounts(self, ids: Collection[str]) -> list[Account]:
        return (
            list(reads.accounts(self._connection, self._snapshot_id, ids).values()) if ids else []
        )

    def provisioned(self, pairs: Collection[Pair]) -> list[ProvisionedPair]:
        found = reads.provisioned(self._connection, self._snapshot_id, pairs) if pairs else set()
        return [ProvisionedPair(*pair) for pair in sorted(found)]

    def applications(self, ids: Collection[str]) -> list[Application]:
        return (
            list(reads.applications(self._connection, self._snapshot_id, ids).values())
            if ids
            else []
        )

    def application_assignments(
        self, *, principals: Collection[Principal] = (), application_arns: Collection[str] = ()
    ) -> list[ApplicationAssignment]:
        a = t.application_assignments
        found = self._held_by(a, principals)
        found += self._select(a, a.c.application_arn, application_arns)
        return list(
            dict.fromkeys(
                ApplicationAssignment(r.application_arn, r.principal_type, r.principal_id)
                for r in found
            )
        )

    def application_assignment_provenance(
        self, assignments: Collection[ApplicationAssignment]
    ) -> list[ApplicationAssignmentProvenance]:
        return provenance.of_application_assignments(self._connection, assignments)

    def all_account_ids(self) -> list[str]:
        return self._all(t.accounts.c.id, t.accounts.c.snapshot_id)

    def all_permission_set_arns(self) -> list[str]:
        return self._all(t.permission_sets.c.arn, t.permission_sets.c.snapshot_id)

    def _held_by(self, table: sa.Table, principals: Collection[Principal]) -> list[sa.Row[Any]]:
        """Rows of an assignments table held by any of the principals."""
        return [
            row
            for kind in sorted({kind for kind, _ in principals})
            for row in self._select(
                table,
                table.c.principal_id,
                {i for k, i in principals if k == kind},
                table.c.principal_type == kind,
            )
        ]

    def _select(
        self,
        table: sa.Table,
        column: sa.ColumnElement[Any],
        values: Collection[str],
        *conditions: sa.ColumnElement[bool],
    ) -> list[sa.Row[Any]]:
        return [
            row
            for chunk in _chunks(values)
            for row in self._connection.execute(
                sa.select(table).where(
                    table.c.snapshot_id == self._snapshot_id, column.in_(chunk), *conditions
                )
            )
        ]

    def _all(self, column: sa.ColumnElement[str], snapshot: sa.ColumnElement[int]) -> list[str]:
        return list(
            self._connection.execute(
                sa.select(column).where(snapshot == self._snapshot_id)
            ).scalars()
        )
