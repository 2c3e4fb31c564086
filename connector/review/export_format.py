"""The review export written out as CSV (RFC 4180) or JSON, a batch of rows at a time.

Both formats hold the same cells under the same names (`cells`): CSV is what
a certifier opens in a spreadsheet, JSON what an IGA product loads. The
writers yield text as the rows come, the header (or the JSON document's head)
first, so the HTTP answer and the CLI start at once and hold one batch.

A value the store does not know is the word "unknown" in both formats (an
empty CSV cell, JSON null, means there is nothing: no manager, no group on a
direct route, no account on an application's row).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from connector.records import PermissionsBoundary, PermissionSet
from connector.review.drift import Named
from connector.review.export import ExportRow, Grant, ReviewExport
from connector.timestamps import rfc3339

UNKNOWN = "unknown"
BATCH = 200  # rows per chunk of text written
Cell = str | int | bool | list[str] | None

PERMISSION_SET_COLUMNS = (
    "permissionSetName",
    "permissionSetArn",
    "managedPolicies",
    "customerManagedPolicies",
    "hasInlinePolicy",
    "permissionsBoundary",
)
COLUMNS = (
    "userId",
    "userName",
    "displayName",
    "userStatus",
    "managerId",
    "managerUserName",
    "entitlementType",
    "accountId",
    "accountName",
    "ou",
    *PERMISSION_SET_COLUMNS,
    "applicationName",
    "applicationArn",
    "route",
    "groupId",
    "groupName",
    "grantedAt",
    "grantedBy",
    "grantedThrough",
    "joinedAt",
    "joinedBy",
    "joinedThrough",
    "lastUsed",
    "daysUnused",
)


def cells(row: ExportRow) -> dict[str, Cell]:
    """The row's cells by column, in `COLUMNS` order."""
    user, group = row.user, row.group
    found: dict[str, Cell] = {
        "userId": user.id,
        "userName": user.user_name,
        "displayName": user.display_name,
        "userStatus": user.status or UNKNOWN,
        "managerId": user.manager.id if user.manager else None,
        "managerUserName": _name(user.manager),
        "entitlementType": "account" if row.account else "application",
        "accountId": row.account.id if row.account else None,
        "accountName": _name(row.account),
        "ou": (row.account.ou_path or UNKNOWN) if row.account else None,
        **_permission_set(row.permission_set),
        "applicationName": _name(row.application),
        "applicationArn": row.application.id if row.application else None,
        "route": "group" if group else "direct",
        "groupId": group.id if group else None,
        "groupName": _name(group),
        **_grant("granted", row.granted),
        **(_grant("joined", row.joined) if row.joined else dict.fromkeys(_grant_names("joined"))),
        "lastUsed": _last_used(row),
        "daysUnused": row.days_unused if row.days_unused is not None else UNKNOWN,
    }
    return {column: found[column] for column in COLUMNS}


def csv_text(export: ReviewExport) -> Iterator[str]:
    """The header, then the rows, `BATCH` at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield _taken(buffer)
    for count, row in enumerate(export.rows, 1):
        writer.writerow(_csv_cell(value) for value in cells(row).values())
        if count % BATCH == 0:
            yield _taken(buffer)
    yield _taken(buffer)


def json_text(export: ReviewExport) -> Iterator[str]:
    """One JSON document: what the rows were read from, then `rows`, `BATCH` at a time."""
    head = {
        "generatedAt": rfc3339(export.generated_at),
        "snapshot": {"syncId": export.snapshot_sync_id, "syncedAt": rfc3339(export.synced_at)},
        "lastUseKnownFrom": rfc3339(export.last_use_known_from),
        "lastUseUnknownReason": export.last_use_unknown,
        "columns": list(COLUMNS),
    }
    yield json.dumps(head)[:-1] + ', "rows": ['
    batch: list[str] = []
    separator = "\n"
    for row in export.rows:
        batch.append(json.dumps(cells(row)))
        if len(batch) == BATCH:
            yield separator + ",\n".join(batch)
            separator, batch = ",\n", []
    if batch:
        yield separator + ",\n".join(batch)
    yield "\n]}\n"


def _grant_names(prefix: str) -> tuple[str, str, str]:
    return (f"{prefix}At", f"{prefix}By", f"{prefix}Through")


def _last_used(row: ExportRow) -> str | None:
    """The last sign-in's time, "never" within the history read, or unknown."""
    if row.last_use == "used":
        return rfc3339(row.last_used)
    return "never" if row.last_use == "never" else UNKNOWN


def _grant(prefix: str, grant: Grant) -> dict[str, Cell]:
    at, by, through = _grant_names(prefix)
    known = grant.through != "unknown"
    return {
        at: rfc3339(grant.at) if grant.at else UNKNOWN,
        by: grant.by if grant.by else UNKNOWN,
        through: grant.through if known else UNKNOWN,
    }


def _permission_set(permission_set: PermissionSet | None) -> dict[str, Cell]:
    """The permission set's name and ARN and what the snapshot holds of its policies
    (DescribePermissionSet and the policy reads: ListManagedPoliciesInPermissionSet,
    ListCustomerManagedPolicyReferencesInPermissionSet, GetInlinePolicyForPermissionSet,
    GetPermissionsBoundaryForPermissionSet)."""
    if permission_set is None:
        return dict.fromkeys(PERMISSION_SET_COLUMNS)
    return {
        "permissionSetName": permission_set.name or UNKNOWN,
        "permissionSetArn": permission_set.arn,
        "managedPolicies": [p.name for p in permission_set.managed_policies],
        "customerManagedPolicies": [
            f"{p.path}{p.name}" for p in permission_set.customer_managed_policies
        ],
        "hasInlinePolicy": bool(permission_set.inline_policy),
        "permissionsBoundary": _boundary(permission_set.permissions_boundary),
    }


def _boundary(boundary: PermissionsBoundary | None) -> str | None:
    """A managed policy's ARN, or a customer managed policy's path and name."""
    if boundary is None:
        return None
    if boundary.customer_managed_policy is not None:
        policy = boundary.customer_managed_policy
        return f"{policy.path}{policy.name}"
    return boundary.managed_policy_arn


def _name(named: Named | None) -> str | None:
    """A name where the snapshot holds the object; unknown where it does not."""
    if named is None:
        return None
    return named.name or UNKNOWN


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
