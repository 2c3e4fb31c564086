"""Entitlement resources: "permission set @ AWS account", grantable and reviewable.

One per (permission set, account) pair that can be granted: every permission
set in every known account, provisioned there or not yet (granting provisions
it, as AWS does). The id (`account.ps-id`) is built by
`connector.store.codec.entitlement_id` and survives re-syncs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connector.store import reads
from schemas import urns
from scim.resources.common import entitlement_display, meta, ref


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
    versions = reads.versions(connection, "Entitlement", ids)
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
                endpoint, kind = "Users", "User"
            else:
                group = groups.get(grant.principal_id)
                display = group.display_name if group else None
                endpoint, kind = "Groups", "Group"
            members.append(
                {
                    "value": grant.principal_id,
                    "display": display,
                    "type": kind,
                    "$ref": ref(base_url, endpoint, grant.principal_id),
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
                    "$ref": ref(base_url, "PermissionSets", split[1]),
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
                    "$ref": ref(base_url, "AwsAccounts", account.id),
                },
                "members": members,
                "meta": meta(
                    "Entitlement",
                    ref(base_url, "Entitlements", entitlement_id),
                    versions.get(entitlement_id),
                ),
            }
        )
    return documents
