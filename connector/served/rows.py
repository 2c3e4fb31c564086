"""The stored rows a served resource can depend on, and the questions asked about them.

A served resource's digest reads stored rows: its own record, and rows of
other kinds it shows (a user shows its groups' names). A `Row` names one
stored row by its key, the way a write names what it changed. `Rows` is what
a served type asks about stored rows, to find the resources a changed row
touches (`dependents`) and to read what its digest covers (`load`). It is
answered in memory over a snapshot (`connector.served.relations`) and by SQL
over the store (`connector.store.served_rows`), so the same dependency code
serves a sync, a write-through and the tests.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

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

Principal = tuple[str, str]  # (principal type "USER" or "GROUP", its id)
Pair = tuple[str, str]  # (account id, permission set ARN)


@dataclass(frozen=True)
class UserRow:
    user_id: str


@dataclass(frozen=True)
class GroupRow:
    group_id: str


@dataclass(frozen=True)
class MembershipRow:
    """By group and user: a removal knows no membership id, and needs none."""

    group_id: str
    user_id: str


@dataclass(frozen=True)
class PermissionSetRow:
    arn: str


@dataclass(frozen=True)
class AccountRow:
    account_id: str


@dataclass(frozen=True)
class ApplicationRow:
    arn: str


# An Assignment, an ApplicationAssignment and a ProvisionedPair name their rows
# already: every field is key.
Row = (
    UserRow
    | GroupRow
    | MembershipRow
    | Assignment
    | ProvisionedPair
    | PermissionSetRow
    | AccountRow
    | ApplicationRow
    | ApplicationAssignment
)


class Rows(Protocol):
    """Stored rows of one snapshot, asked for by key; an empty selection asks for none."""

    def users(self, ids: Collection[str]) -> list[User]: ...

    def groups(self, ids: Collection[str]) -> list[Group]: ...

    def memberships(
        self, *, user_ids: Collection[str] = (), group_ids: Collection[str] = ()
    ) -> list[Membership]:
        """Memberships of any of the users or of any of the groups."""
        ...

    def assignments(
        self,
        *,
        principals: Collection[Principal] = (),
        pairs: Collection[Pair] = (),
        permission_set_arns: Collection[str] = (),
        account_ids: Collection[str] = (),
    ) -> list[Assignment]:
        """Assignments held by any of the principals, or on any of the pairs,
        permission sets or accounts."""
        ...

    def assignment_provenance(
        self, assignments: Collection[Assignment]
    ) -> list[AssignmentProvenance]:
        """What is known of who made each of the assignments (those it knows of)."""
        ...

    def membership_provenance(
        self, memberships: Collection[Membership]
    ) -> list[MembershipProvenance]:
        """What is known of who made each of the memberships (those it knows of)."""
        ...

    def permission_sets(
        self, *, arns: Collection[str] = (), ids: Collection[str] = ()
    ) -> list[PermissionSet]:
        """By ARN or by the id they are served under ("ps-...")."""
        ...

    def accounts(self, ids: Collection[str]) -> list[Account]: ...

    def provisioned(self, pairs: Collection[Pair]) -> list[ProvisionedPair]: ...

    def applications(self, ids: Collection[str]) -> list[Application]:
        """By the entitlement id they are served under ("app.apl-...")."""
        ...

    def application_assignments(
        self, *, principals: Collection[Principal] = (), application_arns: Collection[str] = ()
    ) -> list[ApplicationAssignment]:
        """Application assignments held by any of the principals, or of any of the
        applications."""
        ...

    def application_assignment_provenance(
        self, assignments: Collection[ApplicationAssignment]
    ) -> list[ApplicationAssignmentProvenance]:
        """What is known of who made each of the application assignments (those it
        knows of)."""
        ...

    def all_account_ids(self) -> list[str]: ...

    def all_permission_set_arns(self) -> list[str]: ...


def named_holders(
    rows: Rows, row: PermissionSetRow | AccountRow | ApplicationRow, principal_type: str
) -> set[str]:
    """The principals of a type holding an assignment on the permission set, the
    account or the application: they show its name among their entitlements."""
    if isinstance(row, ApplicationRow):
        found = rows.application_assignments(application_arns=[row.arn])
        return {a.principal_id for a in found if a.principal_type == principal_type}
    if isinstance(row, PermissionSetRow):
        held = rows.assignments(permission_set_arns=[row.arn])
    else:
        held = rows.assignments(account_ids=[row.account_id])
    return {a.principal_id for a in held if a.principal_type == principal_type}
