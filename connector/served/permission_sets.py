"""Served PermissionSets: a permission set shows only its own record.

Served under the ARN's last segment ("ps-...", `connector.record_keys.permission_set_id`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from connector.record_keys import permission_set_id
from connector.records import Snapshot
from connector.served.relations import Relations
from connector.served.rows import PermissionSetRow, Row, Rows
from connector.served.served_type import ServedType, fingerprint, fragment

NAME = "PermissionSet"


def ids(relations: Relations) -> Iterable[str]:
    return (permission_set_id(arn) for arn in relations.all_permission_set_arns())


def digest(relations: Relations, resource_id: str) -> str | None:
    arn = relations.permission_set_arn(resource_id)
    ps = relations.permission_set(arn) if arn is not None else None
    return fingerprint(relations.object_hash(ps)) if ps is not None else None


def dependents(rows: Rows, row: Row) -> Collection[str]:
    match row:
        case PermissionSetRow(arn=arn):
            return {permission_set_id(arn)}
    return set()


def load(rows: Rows, resource_ids: Collection[str]) -> Snapshot:
    return fragment(permission_sets=rows.permission_sets(ids=resource_ids))


PERMISSION_SETS = ServedType(NAME, ids, digest, dependents, load)
