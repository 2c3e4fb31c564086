"""Served Groups: what a group's digest covers, and which stored rows change it.

A served group shows its own record (with the Identity Store's record of who
made and changed it), its members by name (a user's
displayName, else userName) and the entitlements it holds by name. So a
member's rename, a membership, a grant to the group, and a rename of a
permission set or account it holds change the group; so do an application
assignment to the group and a rename of an application it is assigned to.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from connector.record_keys import application_entitlement_id
from connector.records import ApplicationAssignment, Assignment, Snapshot
from connector.served import provenance
from connector.served.relations import Relations
from connector.served.rows import (
    AccountRow,
    ApplicationRow,
    GroupRow,
    MembershipRow,
    PermissionSetRow,
    Row,
    Rows,
    UserRow,
    named_holders,
)
from connector.served.served_type import (
    ServedType,
    born_in_identity_store,
    fingerprint,
    fragment,
)

NAME = "Group"


def ids(relations: Relations) -> Iterable[str]:
    return relations.all_group_ids()


def digest(relations: Relations, group_id: str) -> str | None:
    group = relations.group(group_id)
    if group is None:
        return None
    return fingerprint(
        [
            relations.object_hash(group),
            sorted(provenance.stamps(group).items()),
            sorted(
                (u, relations.principal_name("USER", u)) for u in relations.member_ids_of(group_id)
            ),
            sorted(
                relations.entitlement_names(*pair)
                for pair in relations.pairs_held_by("GROUP", group_id)
            ),
            sorted(
                relations.application_names(arn)
                for arn in relations.applications_held_by("GROUP", group_id)
            ),
        ]
    )


def dependents(rows: Rows, row: Row) -> Collection[str]:
    match row:
        case GroupRow(group_id=group_id) | MembershipRow(group_id=group_id):
            return {group_id}
        case (
            Assignment(principal_type="GROUP", principal_id=group_id)
            | ApplicationAssignment(principal_type="GROUP", principal_id=group_id)
        ):
            return {group_id}
        case UserRow(user_id=user_id):
            return {m.group_id for m in rows.memberships(user_ids=[user_id])}
        case PermissionSetRow() | AccountRow() | ApplicationRow():
            return named_holders(rows, row, "GROUP")
    return set()


def load(rows: Rows, group_ids: Collection[str]) -> Snapshot:
    memberships = rows.memberships(group_ids=group_ids)
    held = rows.assignments(principals=[("GROUP", g) for g in group_ids])
    applications_held = rows.application_assignments(principals=[("GROUP", g) for g in group_ids])
    return fragment(
        groups=rows.groups(group_ids),
        users=rows.users({m.user_id for m in memberships}),
        memberships=memberships,
        assignments=held,
        permission_sets=rows.permission_sets(arns={a.permission_set_arn for a in held}),
        accounts=rows.accounts({a.account_id for a in held}),
        application_assignments=applications_held,
        applications=rows.applications(
            {application_entitlement_id(a.application_arn) for a in applications_held}
        ),
    )


def born(rows: Rows, group_ids: Collection[str]) -> dict[str, datetime]:
    return born_in_identity_store(rows.groups(group_ids))


GROUPS = ServedType(NAME, ids, digest, dependents, load, born)
