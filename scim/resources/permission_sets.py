"""Served PermissionSets: read-only context for reviewers (what an entitlement grants)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connector.served.permission_sets import PERMISSION_SETS as SERVED
from connector.store import reads
from connector.store import tables as t
from schemas import urns
from scim.resources.common import meta
from scim.resources.endpoint import Endpoint
from scim.sql_map import Column, ResourceSql, table_sql


def documents(
    connection: sa.Connection,
    snapshot_id: int,
    ids: Sequence[str],
    base_url: str,
    requested: frozenset[tuple[str, ...]] = frozenset(),
) -> list[dict[str, Any]]:
    found = reads.permission_sets(connection, snapshot_id, ids)
    versions = reads.versions(connection, SERVED.name, ids)
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
                "meta": meta(SERVED.name, base_url, ps_id, versions.get(ps_id)),
            }
        )
    return documents


def _permission_set_sql() -> ResourceSql:
    ps = t.permission_sets
    return table_sql(
        SERVED,
        ps,
        {
            "id": Column(ps.c.id),
            "name": Column(ps.c.name),
            "arn": Column(ps.c.arn),
            "description": Column(ps.c.description),
            "sessionDuration": Column(ps.c.session_duration),
            "relayState": Column(ps.c.relay_state),
            "inlinePolicy": Column(ps.c.inline_policy),
        },
    )


PERMISSION_SETS = Endpoint(SERVED, _permission_set_sql(), documents)
