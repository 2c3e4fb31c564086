"""Served Entitlements: account entitlements and application entitlements, at one path.

An IGA platform certifies every access a person has, so both kinds are one
resource type (`connector.served.entitlements`), told apart by `type`
("permissionSet", "application") and by their ids. Each kind's module builds
its documents and selects its rows in the shared columns
(`scim.resources.entitlement_rows`); here their UNION ALL is the type's SQL
map, so filters, sortBy and paging (startIndex, count) run over both kinds
in one query, and each requested id's document is built by its kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connector.served.entitlements import ENTITLEMENTS as SERVED
from connector.served.entitlements import is_application
from scim.resources import account_entitlements, application_entitlements
from scim.resources.endpoint import Endpoint
from scim.sql_map import GRANTED_COLUMNS, Children, Column, ResourceSql, resource_sql


def documents(
    connection: sa.Connection,
    snapshot_id: int,
    ids: Sequence[str],
    base_url: str,
    requested: frozenset[tuple[str, ...]] = frozenset(),
) -> list[dict[str, Any]]:
    """The documents of `ids` in their order, each built by its kind."""
    built = {
        document["id"]: document
        for kind, wanted in (
            (application_entitlements, [i for i in ids if is_application(i)]),
            (account_entitlements, [i for i in ids if not is_application(i)]),
        )
        if wanted
        for document in kind.documents(connection, snapshot_id, wanted, base_url, requested)
    }
    return [built[i] for i in ids if i in built]


def _entitlement_sql() -> ResourceSql:
    both = sa.union_all(account_entitlements.rows(), application_entitlements.rows()).subquery(
        "entitlements"
    )
    held = sa.union_all(
        account_entitlements.members(), application_entitlements.members()
    ).subquery("entitlement_members")
    return resource_sql(
        SERVED,
        source=both,
        snapshot_column=both.c.snapshot_id,
        id_column=both.c.id,
        default_sort=(both.c.order_first, both.c.order_second),
        attributes={
            "id": Column(both.c.id),
            "displayName": Column(both.c.display_name),
            "type": Column(both.c.type),
            "provisioned": Column(both.c.provisioned),
            "permissionSet.value": Column(both.c.permission_set_value),
            "permissionSet.arn": Column(both.c.permission_set_arn),
            "permissionSet.name": Column(both.c.permission_set_name),
            "permissionSet.description": Column(both.c.permission_set_description),
            "permissionSet.sessionDuration": Column(both.c.permission_set_session_duration),
            "application.arn": Column(both.c.application_arn),
            "application.name": Column(both.c.application_name),
            "application.description": Column(both.c.application_description),
            "application.providerArn": Column(both.c.application_provider_arn),
            "application.status": Column(both.c.application_status),
            "application.assignmentRequired": Column(both.c.application_assignment_required),
            "account.value": Column(both.c.account_value),
            "account.name": Column(both.c.account_name),
            "account.status": Column(both.c.account_status),
            "members": Children(
                source=held,
                snapshot=held.c.snapshot_id,
                key=held.c.owner,
                owner=both.c.member_key,
                columns={
                    "value": held.c.principal_id,
                    "type": sa.case((held.c.principal_type == "USER", "User"), else_="Group"),
                    **{name: held.c[name] for name in GRANTED_COLUMNS},
                    "lastUsed": held.c.last_used,
                },
            ),
        },
    )


ENTITLEMENTS = Endpoint(SERVED, _entitlement_sql(), documents)
