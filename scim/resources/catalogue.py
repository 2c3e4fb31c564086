"""PermissionSet and AwsAccount resources: read-only context for reviewers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connector.store import reads
from schemas import urns
from scim.resources.common import meta, ref


def permission_set_documents(
    connection: sa.Connection,
    snapshot_id: int,
    ids: Sequence[str],
    base_url: str,
    requested: frozenset[tuple[str, ...]] = frozenset(),
) -> list[dict[str, Any]]:
    found = reads.permission_sets(connection, snapshot_id, ids)
    versions = reads.versions(connection, "PermissionSet", ids)
    documents = []
    for ps_id in ids:
        ps = found.get(ps_id)
        if ps is None:
            continue
        boundary = ps.permissions_boundary
        documents.append(
            {
                "schemas": [urns.PERMISSION_SET],
                "id": ps_id,
                "name": ps.name,
                "arn": ps.arn,
                "description": ps.description,
                "sessionDuration": ps.session_duration,
                "relayState": ps.relay_state,
                "managedPolicies": [{"arn": p.arn, "name": p.name} for p in ps.managed_policies],
                "customerManagedPolicies": [
                    {"name": p.name, "path": p.path} for p in ps.customer_managed_policies
                ],
                "inlinePolicy": ps.inline_policy,
                "permissionsBoundary": {
                    "managedPolicyArn": boundary.managed_policy_arn,
                    "customerManagedPolicyName": boundary.customer_managed_policy.name
                    if boundary.customer_managed_policy
                    else None,
                    "customerManagedPolicyPath": boundary.customer_managed_policy.path
                    if boundary.customer_managed_policy
                    else None,
                }
                if boundary
                else None,
                "tags": [{"key": k, "value": v} for k, v in ps.tags],
                "meta": meta(
                    "PermissionSet", ref(base_url, "PermissionSets", ps_id), versions.get(ps_id)
                ),
            }
        )
    return documents


def account_documents(
    connection: sa.Connection,
    snapshot_id: int,
    ids: Sequence[str],
    base_url: str,
    requested: frozenset[tuple[str, ...]] = frozenset(),
) -> list[dict[str, Any]]:
    found = reads.accounts(connection, snapshot_id, ids)
    versions = reads.versions(connection, "AwsAccount", ids)
    return [
        {
            "schemas": [urns.AWS_ACCOUNT],
            "id": account.id,
            "name": account.name,
            "email": account.email,
            "status": account.status,
            "meta": meta(
                "AwsAccount", ref(base_url, "AwsAccounts", account.id), versions.get(account.id)
            ),
        }
        for account_id in ids
        if (account := found.get(account_id)) is not None
    ]
