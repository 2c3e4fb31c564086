"""Account entitlements: "permission set @ AWS account", grantable and reviewable.

One per (permission set, account) pair that can be granted: every permission
set in every known account, provisioned there or not yet (granting provisions
it, as AWS does). The id (`account.ps-id`) is built by
`connector.record_keys.entitlement_id` and survives re-syncs. Served at
/Entitlements with application entitlements (`scim.resources.entitlements`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connector.served.entitlements import NAME
from connector.store import last_use, reads
from connector.store import tables as t
from connector.store.reads import Grant
from schemas import urns
from scim.resources.common import Holders, entitlement_display, meta, ref
from scim.resources.entitlement_rows import member_columns, shared_columns
from scim.sql_map import SqlExpr, with_provenance
from scim.sql_map import (
    entitlement_display as entitlement_display_sql,
)
from scim.sql_map import entitlement_id as entitlement_id_sql


def split_id(entitlement_id: str) -> tuple[str, str] | None:
    account_id, _, permission_set_id = entitlement_id.partition(".")
    return (account_id, permission_set_id) if account_id and permission_set_id else None


def documents(
    connection: sa.Connection,
    snapshot_id: int,
    ids: Sequence[str],
    base_url: str,
    requested: frozenset[tuple[str, ...]] = frozenset(),
) -> list[dict[str, Any]]:
    wanted = {i: split_id(i) for i in ids}
    parts = [p for p in wanted.values() if p]
    permission_sets = reads.permission_sets(connection, snapshot_id, {p for _, p in parts})
    accounts = reads.accounts(connection, snapshot_id, {a for a, _ in parts})
    pairs = {
        (account_id, permission_sets[ps_id].arn)
        for account_id, ps_id in parts
        if ps_id in permission_sets
    }
    holders = reads.holders_of_pairs(connection, snapshot_id, pairs)
    provisioned = reads.provisioned(connection, snapshot_id, pairs)
    versions = reads.versions(connection, NAME, ids)
    names = Holders(
        connection,
        snapshot_id,
        ((g.principal_type, g.principal_id) for gs in holders.values() for g in gs),
    )
    used = _last_used(connection, snapshot_id, holders)
    documents = []
    for entitlement_id, split in wanted.items():
        if split is None or split[1] not in permission_sets or split[0] not in accounts:
            continue
        account, ps = accounts[split[0]], permission_sets[split[1]]
        pair = (account.id, ps.arn)
        members = [
            names.member(
                base_url,
                grant.principal_type,
                grant.principal_id,
                grant.provenance,
                used.get((grant.principal_type, grant.principal_id, *pair)),
            )
            for grant in holders.get(pair, [])
        ]
        boundary = ps.permissions_boundary
        documents.append(
            {
                "schemas": [urns.ENTITLEMENT],
                "id": entitlement_id,
                "displayName": entitlement_display(ps.name, account.id, account.name),
                "type": "permissionSet",
                "provisioned": pair in provisioned,
                "permissionSet": {
                    "value": split[1],
                    "arn": ps.arn,
                    "name": ps.name,
                    "description": ps.description,
                    "sessionDuration": ps.session_duration,
                    "$ref": ref(base_url, "PermissionSet", split[1]),
                },
                "policySummary": {
                    "managedPolicies": [p.name for p in ps.managed_policies],
                    "customerManagedPolicies": [
                        f"{p.path}{p.name}" for p in ps.customer_managed_policies
                    ],
                    "hasInlinePolicy": bool(ps.inline_policy),
                    "permissionsBoundary": (
                        boundary.managed_policy_arn
                        or (
                            f"{boundary.customer_managed_policy.path}"
                            f"{boundary.customer_managed_policy.name}"
                            if boundary.customer_managed_policy
                            else None
                        )
                    )
                    if boundary
                    else None,
                },
                "account": {
                    "value": account.id,
                    "name": account.name,
                    "status": account.status,
                    "$ref": ref(base_url, "AwsAccount", account.id),
                },
                "members": members,
                "meta": meta(NAME, base_url, entitlement_id, versions.get(entitlement_id)),
            }
        )
    return documents


def _last_used(
    connection: sa.Connection, snapshot_id: int, holders: Mapping[tuple[str, str], list[Grant]]
) -> dict[tuple[str, str, str, str], datetime]:
    """(principal type, principal id, account id, PermissionSetArn) -> last use, of
    each holder: a user's own, a group's the latest of any of its members (whatever
    route they hold the access by: a sign-in names no route)."""
    group_ids = {
        g.principal_id for grants in holders.values() for g in grants if g.principal_type == "GROUP"
    }
    members = {
        group_id: [user_id for user_id, _ in users]
        for group_id, users in reads.members_of_groups(connection, snapshot_id, group_ids).items()
    }
    users_of = {
        (g.principal_type, g.principal_id, *pair): (
            [g.principal_id] if g.principal_type == "USER" else members.get(g.principal_id, [])
        )
        for pair, grants in holders.items()
        for g in grants
    }
    known = last_use.last_used(
        connection,
        {
            (user_id, account_id, arn)
            for (_, _, account_id, arn), ids in users_of.items()
            for user_id in ids
        },
    )
    used: dict[tuple[str, str, str, str], datetime] = {}
    for key, ids in users_of.items():
        _, _, account_id, arn = key
        uses = [known[found] for user_id in ids if (found := (user_id, account_id, arn)) in known]
        if uses:
            used[key] = max(uses)
    return used


def _pair_key(account_id: SqlExpr, permission_set_arn: SqlExpr) -> SqlExpr:
    """(account, permission set ARN) as one value: an account id is always 12 digits."""
    return account_id + sa.literal(" ") + permission_set_arn


def rows() -> sa.Select[Any]:
    """One row per (permission set, account), in the columns both kinds share
    (scim.resources.entitlements)."""
    ps = t.permission_sets
    acct = t.accounts
    pair = t.provisioned_pairs
    grid = ps.join(acct, acct.c.snapshot_id == ps.c.snapshot_id).outerjoin(
        pair,
        sa.and_(
            pair.c.snapshot_id == ps.c.snapshot_id,
            pair.c.account_id == acct.c.id,
            pair.c.permission_set_arn == ps.c.arn,
        ),
    )
    return sa.select(
        *shared_columns(
            snapshot_id=ps.c.snapshot_id,
            id=entitlement_id_sql(acct.c.id, ps.c.id),
            display_name=entitlement_display_sql(ps.c.name, acct.c.id, acct.c.name),
            type=sa.literal("permissionSet"),
            provisioned=pair.c.account_id.is_not(None),
            permission_set_value=ps.c.id,
            permission_set_arn=ps.c.arn,
            permission_set_name=ps.c.name,
            permission_set_description=ps.c.description,
            permission_set_session_duration=ps.c.session_duration,
            account_value=acct.c.id,
            account_name=acct.c.name,
            account_status=acct.c.status,
            member_key=_pair_key(acct.c.id, ps.c.arn),
            order_first=acct.c.id,
            order_second=ps.c.id,
        )
    ).select_from(grid)


def members() -> sa.Select[Any]:
    """Who holds each (permission set, account), keyed as `rows` keys it, with
    who granted each and when it was last used (the twin of `_last_used`)."""
    holder = t.assignments.alias("a_holder")
    ps = t.permission_sets.alias("ps_holder")
    held, granted = with_provenance(holder)
    held = held.outerjoin(
        ps,
        sa.and_(ps.c.snapshot_id == holder.c.snapshot_id, ps.c.arn == holder.c.permission_set_arn),
    )
    access = (holder.c.account_id, holder.c.permission_set_arn, ps.c.name)
    uses, m = t.last_use.alias("u_holder"), t.memberships.alias("m_holder")
    by_members = (
        sa.select(sa.func.max(uses.c.used_at))
        .select_from(uses.join(m, m.c.user_id == uses.c.user_id))
        .where(
            m.c.snapshot_id == holder.c.snapshot_id,
            m.c.group_id == holder.c.principal_id,
            last_use.uses_of(uses, *access),
        )
        .scalar_subquery()
    )
    last_used = sa.case(
        (holder.c.principal_type == "USER", last_use.latest_use(holder.c.principal_id, *access)),
        else_=by_members,
    )
    return sa.select(
        *member_columns(
            snapshot_id=holder.c.snapshot_id,
            # One key of both columns: SQLite reads `(a, b) IN (SELECT ...)`
            # outside a plain WHERE term very slowly (7 s on 50,000 pairs).
            owner=_pair_key(holder.c.account_id, holder.c.permission_set_arn),
            principal_id=holder.c.principal_id,
            principal_type=holder.c.principal_type,
            granted=granted,
            last_used=last_used,
        )
    ).select_from(held)
