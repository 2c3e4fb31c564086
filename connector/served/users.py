"""Served Users: what a user's digest covers, and which stored rows change it.

A served user shows its own record (with the Identity Store's record of who
made and changed it), its groups by name, its direct
entitlements by name, and (effective access, on request) what its groups
hold, by ids only, each with how it was granted (and for a group, how the
user became a member). So a group's rename, a membership, a grant to the user
or to one of its groups, what becomes known of who made them, and a rename of
a permission set or account it holds directly each change the user, though
its own record did not change. Applications count as entitlements: an
assignment to the user or one of its groups, what becomes known of who made
it, and the rename of an application it is assigned to directly, change it too.
The last use of its access does not: a sign-in is activity, not a change of
the access (docs/api.md, "Last use").
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

NAME = "User"


def ids(relations: Relations) -> Iterable[str]:
    return relations.all_user_ids()


def digest(relations: Relations, user_id: str) -> str | None:
    user = relations.user(user_id)
    if user is None:
        return None
    member_of = sorted(relations.group_ids_of(user_id))
    return fingerprint(
        [
            relations.object_hash(user),
            sorted(provenance.stamps(user).items()),
            [(g, relations.group_name(g)) for g in member_of],
            sorted(
                [
                    *relations.entitlement_names(*pair),
                    sorted(relations.granted(Assignment(*pair, "USER", user_id)).items()),
                ]
                for pair in relations.pairs_held_by("USER", user_id)
            ),
            sorted(
                (
                    *pair,
                    g,
                    sorted(relations.granted(Assignment(*pair, "GROUP", g)).items()),
                    sorted(relations.member_since(g, user_id).items()),
                )
                for g in member_of
                for pair in relations.pairs_held_by("GROUP", g)
            ),
            sorted(
                [
                    *relations.application_names(arn),
                    sorted(relations.granted(ApplicationAssignment(arn, "USER", user_id)).items()),
                ]
                for arn in relations.applications_held_by("USER", user_id)
            ),
            sorted(
                (
                    arn,
                    g,
                    sorted(relations.granted(ApplicationAssignment(arn, "GROUP", g)).items()),
                    sorted(relations.member_since(g, user_id).items()),
                )
                for g in member_of
                for arn in relations.applications_held_by("GROUP", g)
            ),
        ]
    )


def dependents(rows: Rows, row: Row) -> Collection[str]:
    match row:
        case UserRow(user_id=user_id) | MembershipRow(user_id=user_id):
            return {user_id}
        case (
            Assignment(principal_type="USER", principal_id=user_id)
            | ApplicationAssignment(principal_type="USER", principal_id=user_id)
        ):
            return {user_id}
        case (
            GroupRow(group_id=group_id)
            | Assignment(principal_type="GROUP", principal_id=group_id)
            | ApplicationAssignment(principal_type="GROUP", principal_id=group_id)
        ):
            return {m.user_id for m in rows.memberships(group_ids=[group_id])}
        case PermissionSetRow() | AccountRow() | ApplicationRow():
            return named_holders(rows, row, "USER")
    return set()


def load(rows: Rows, user_ids: Collection[str]) -> Snapshot:
    memberships = rows.memberships(user_ids=user_ids)
    group_ids = {m.group_id for m in memberships}
    principals = [*(("USER", u) for u in user_ids), *(("GROUP", g) for g in group_ids)]
    held = rows.assignments(principals=principals)
    direct = [a for a in held if a.principal_type == "USER"]
    applications_held = rows.application_assignments(principals=principals)
    return fragment(
        users=rows.users(user_ids),
        groups=rows.groups(group_ids),
        memberships=memberships,
        assignments=held,
        assignment_provenance=rows.assignment_provenance(held),
        membership_provenance=rows.membership_provenance(memberships),
        permission_sets=rows.permission_sets(arns={a.permission_set_arn for a in direct}),
        accounts=rows.accounts({a.account_id for a in direct}),
        application_assignments=applications_held,
        application_assignment_provenance=rows.application_assignment_provenance(applications_held),
        applications=rows.applications(
            {
                application_entitlement_id(a.application_arn)
                for a in applications_held
                if a.principal_type == "USER"
            }
        ),
    )


def born(rows: Rows, user_ids: Collection[str]) -> dict[str, datetime]:
    return born_in_identity_store(rows.users(user_ids))


USERS = ServedType(NAME, ids, digest, dependents, load, born)
