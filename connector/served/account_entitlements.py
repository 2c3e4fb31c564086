"""Account entitlements: what one's digest covers, and which stored rows change it.

An account entitlement is a permission set on an account, served for every pair of a
known permission set and a known account (`connector.record_keys.entitlement_id`
names it). It shows both records, whether the pair is provisioned, and its
holders by name, with how each was granted. So a grant or revoke on the
pair, its provisioning, what becomes known of who granted it, and a rename
of one of its holders change it. Its holders' last use does not: a sign-in is
activity, not a change of the access (docs/api.md, "Last use").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from connector.record_keys import entitlement_id, permission_set_id
from connector.records import Assignment, ProvisionedPair, Snapshot
from connector.served.relations import Relations
from connector.served.rows import (
    AccountRow,
    GroupRow,
    PermissionSetRow,
    Row,
    Rows,
    UserRow,
)
from connector.served.served_type import ServedType, fingerprint, fragment

NAME = "Entitlement"  # one served type with application entitlements (entitlements.py)


def ids(relations: Relations) -> Iterable[str]:
    arns = relations.all_permission_set_arns()
    for account_id in relations.all_account_ids():
        for arn in arns:
            yield entitlement_id(account_id, arn)


def split_id(resource_id: str) -> tuple[str, str]:
    """(account id, permission set id "ps-...") of an entitlement id."""
    account_id, _, served_id = resource_id.partition(".")
    return account_id, served_id


def digest(relations: Relations, resource_id: str) -> str | None:
    account_id, served_id = split_id(resource_id)
    arn = relations.permission_set_arn(served_id)
    account = relations.account(account_id)
    ps = relations.permission_set(arn) if arn is not None else None
    if account is None or ps is None:
        return None
    pair = (account_id, ps.arn)
    return fingerprint(
        [
            relations.object_hash(ps),
            relations.object_hash(account),
            relations.is_provisioned(pair),
            sorted(
                (
                    kind,
                    principal_id,
                    relations.principal_name(kind, principal_id),
                    sorted(relations.granted(Assignment(*pair, kind, principal_id)).items()),
                )
                for kind, principal_id in relations.holders_of(pair)
            ),
        ]
    )


def dependents(rows: Rows, row: Row) -> Collection[str]:
    match row:
        case (
            Assignment(account_id=account_id, permission_set_arn=arn)
            | ProvisionedPair(account_id=account_id, permission_set_arn=arn)
        ):
            return {entitlement_id(account_id, arn)}
        case UserRow(user_id=user_id):
            return _held(rows.assignments(principals=[("USER", user_id)]))
        case GroupRow(group_id=group_id):
            return _held(rows.assignments(principals=[("GROUP", group_id)]))
        case PermissionSetRow(arn=arn):
            return {entitlement_id(a, arn) for a in rows.all_account_ids()}
        case AccountRow(account_id=account_id):
            return {entitlement_id(account_id, arn) for arn in rows.all_permission_set_arns()}
    return set()


def _held(held: Iterable[Assignment]) -> set[str]:
    return {entitlement_id(a.account_id, a.permission_set_arn) for a in held}


def load(rows: Rows, resource_ids: Collection[str]) -> Snapshot:
    wanted = [split_id(i) for i in resource_ids]
    permission_sets = rows.permission_sets(ids={ps_id for _, ps_id in wanted})
    arns = {permission_set_id(ps.arn): ps.arn for ps in permission_sets}
    pairs = {(account_id, arns[ps_id]) for account_id, ps_id in wanted if ps_id in arns}
    held = rows.assignments(pairs=pairs)
    return fragment(
        permission_sets=permission_sets,
        accounts=rows.accounts({a for a, _ in wanted}),
        provisioned_pairs=rows.provisioned(pairs),
        assignments=held,
        assignment_provenance=rows.assignment_provenance(held),
        users=rows.users({a.principal_id for a in held if a.principal_type == "USER"}),
        groups=rows.groups({a.principal_id for a in held if a.principal_type == "GROUP"}),
    )


ACCOUNT_ENTITLEMENTS = ServedType(NAME, ids, digest, dependents, load)
