"""Served Entitlements: "permission set @ AWS account", grantable and reviewable.

One per (permission set, account) pair that can be granted: every permission
set in every known account, provisioned there or not yet (granting provisions
it, as AWS does). The id (`account.ps-id`) is built by
`connector.record_keys.entitlement_id` and survives re-syncs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connector.served import provenance
from connector.served.entitlements import ENTITLEMENTS as SERVED
from connector.store import reads
from connector.store import tables as t
from schemas import urns
from scim.resources.common import entitlement_display, meta, ref
from scim.resources.endpoint import Endpoint
from scim.sql_map import (
    Children,
    Column,
    ResourceSql,
    SqlExpr,
    resource_sql,
    with_provenance,
)
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
    versions = reads.versions(connection, SERVED.name, ids)
    users = reads.users(
        connection,
        snapshot_id,
        {g.principal_id for gs in holders.values() for g in gs if g.principal_type == "USER"},
    )
    groups = reads.groups(
        connection,
        snapshot_id,
        {g.principal_id for gs in holders.values() for g in gs if g.principal_type == "GROUP"},
    )
    documents = []
    for entitlement_id, split in wanted.items():
        if split is None or split[1] not in permission_sets or split[0] not in accounts:
            continue
        account, ps = accounts[split[0]], permission_sets[split[1]]
        pair = (account.id, ps.arn)
        members = []
        for grant in holders.get(pair, []):
            if grant.principal_type == "USER":
                user = users.get(grant.principal_id)
                display = (user.display_name or user.user_name) if user else None
                kind = "User"
            else:
                group = groups.get(grant.principal_id)
                display = group.display_name if group else None
                kind = "Group"
            members.append(
                {
                    "value": grant.principal_id,
                    "display": display,
                    "type": kind,
                    "$ref": ref(base_url, kind, grant.principal_id),
                    **provenance.granted(grant.provenance),
                }
            )
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
                "meta": meta(SERVED.name, base_url, entitlement_id, versions.get(entitlement_id)),
            }
        )
    return documents


def _pair_key(account_id: SqlExpr, permission_set_arn: SqlExpr) -> SqlExpr:
    """(account, permission set ARN) as one value: an account id is always 12 digits."""
    return account_id + sa.literal(" ") + permission_set_arn


def _entitlement_sql() -> ResourceSql:
    ps = t.permission_sets
    acct = t.accounts
    pair = t.provisioned_pairs
    entitlement = entitlement_id_sql(acct.c.id, ps.c.id)
    grid = ps.join(acct, acct.c.snapshot_id == ps.c.snapshot_id).outerjoin(
        pair,
        sa.and_(
            pair.c.snapshot_id == ps.c.snapshot_id,
            pair.c.account_id == acct.c.id,
            pair.c.permission_set_arn == ps.c.arn,
        ),
    )
    holder = t.assignments.alias("a_holder")
    held, granted = with_provenance(holder)
    return resource_sql(
        SERVED,
        source=grid,
        snapshot_column=ps.c.snapshot_id,
        id_column=entitlement,
        default_sort=(acct.c.id, ps.c.id),
        attributes={
            "id": Column(entitlement),
            "displayName": Column(entitlement_display_sql(ps.c.name, acct.c.id, acct.c.name)),
            "type": Column(sa.literal("permissionSet")),
            "provisioned": Column(pair.c.account_id.is_not(None)),
            "permissionSet.value": Column(ps.c.id),
            "permissionSet.arn": Column(ps.c.arn),
            "permissionSet.name": Column(ps.c.name),
            "permissionSet.description": Column(ps.c.description),
            "permissionSet.sessionDuration": Column(ps.c.session_duration),
            "account.value": Column(acct.c.id),
            "account.name": Column(acct.c.name),
            "account.status": Column(acct.c.status),
            "members": Children(
                source=held,
                snapshot=holder.c.snapshot_id,
                # One key of both columns: SQLite reads `(a, b) IN (SELECT ...)`
                # outside a plain WHERE term very slowly (7 s on 50,000 pairs).
                key=_pair_key(holder.c.account_id, holder.c.permission_set_arn),
                owner=_pair_key(acct.c.id, ps.c.arn),
                columns={
                    "value": holder.c.principal_id,
                    "type": sa.case((holder.c.principal_type == "USER", "User"), else_="Group"),
                    **granted,
                },
            ),
        },
    )


ENTITLEMENTS = Endpoint(SERVED, _entitlement_sql(), documents)
