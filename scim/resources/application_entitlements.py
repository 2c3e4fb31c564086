"""Application entitlements: access to an Identity Center application.

One per application of the instance (customer managed SAML/OAuth applications
and AWS managed ones), under `connector.record_keys.application_entitlement_id`
("app.apl-..."), with `type` "application". It shows the application as
DescribeApplication and GetApplicationAssignmentConfiguration report it
(https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DescribeApplication.html)
and, as members, the users and groups assigned to it
(ListApplicationAssignments). An application that requires no assignment
lets every user of the instance in; it is served with its explicit
assignments only (`application.assignmentRequired` false says the rest), not
with every user as an implied member. AWS keeps no record of who assigned an
application: members show what the connector kept (its own writes, and
CloudTrail's caller through the change feed; connector.store.provenance).
Served at /Entitlements with account entitlements (`scim.resources.entitlements`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connector.served.entitlements import NAME
from connector.store import provenance, reads
from connector.store import tables as t
from schemas import urns
from scim.resources.common import Holders, meta, ref
from scim.resources.entitlement_rows import member_columns, shared_columns
from scim.sql_map import with_provenance


def documents(
    connection: sa.Connection,
    snapshot_id: int,
    ids: Sequence[str],
    base_url: str,
    requested: frozenset[tuple[str, ...]] = frozenset(),
) -> list[dict[str, Any]]:
    applications = reads.applications(connection, snapshot_id, ids)
    accounts = reads.accounts(
        connection, snapshot_id, {a.account_id for a in applications.values() if a.account_id}
    )
    held = reads.application_assignments(
        connection, snapshot_id, {a.arn for a in applications.values()}
    )
    kept = provenance.of_application_assignments(connection, held)
    made = {p.assignment: p.provenance for p in kept}
    holders = Holders(connection, snapshot_id, ((a.principal_type, a.principal_id) for a in held))
    versions = reads.versions(connection, NAME, ids)
    documents = []
    for entitlement_id in ids:
        application = applications.get(entitlement_id)
        if application is None:
            continue
        members = [
            # no last use: CloudTrail's portal events name no application
            holders.member(base_url, a.principal_type, a.principal_id, made.get(a), None)
            for a in held
            if a.application_arn == application.arn
        ]
        account = accounts.get(application.account_id or "")
        documents.append(
            {
                "schemas": [urns.ENTITLEMENT],
                "id": entitlement_id,
                "displayName": application.name,
                "type": "application",
                "application": {
                    "arn": application.arn,
                    "name": application.name,
                    "description": application.description,
                    "providerArn": application.provider_arn,
                    "status": application.status,
                    "assignmentRequired": application.assignment_required,
                },
                "account": {
                    "value": application.account_id,
                    "name": account.name if account else None,
                    "status": account.status if account else None,
                    "$ref": ref(base_url, "AwsAccount", application.account_id),
                }
                if application.account_id
                else None,
                "members": members,
                "meta": meta(NAME, base_url, entitlement_id, versions.get(entitlement_id)),
            }
        )
    return documents


def rows() -> sa.Select[Any]:
    """One row per application, in the columns both kinds share
    (scim.resources.entitlements)."""
    app = t.applications
    acct = t.accounts.alias("acct_application")
    return sa.select(
        *shared_columns(
            snapshot_id=app.c.snapshot_id,
            id=app.c.id,
            display_name=app.c.name,
            type=sa.literal("application"),
            application_arn=app.c.arn,
            application_name=app.c.name,
            application_description=app.c.description,
            application_provider_arn=app.c.provider_arn,
            application_status=app.c.status,
            application_assignment_required=app.c.assignment_required,
            account_value=app.c.account_id,
            account_name=acct.c.name,
            account_status=acct.c.status,
            member_key=app.c.arn,
            order_first=app.c.id,
            order_second=sa.literal(""),
        )
    ).select_from(
        app.outerjoin(
            acct, sa.and_(acct.c.snapshot_id == app.c.snapshot_id, acct.c.id == app.c.account_id)
        )
    )


def members() -> sa.Select[Any]:
    """Who is assigned to each application, keyed by its ARN as `rows` keys it, with
    who assigned each."""
    a = t.application_assignments.alias("aa_holder")
    held, granted = with_provenance(a, t.application_assignment_provenance)
    return sa.select(
        *member_columns(
            snapshot_id=a.c.snapshot_id,
            owner=a.c.application_arn,
            principal_id=a.c.principal_id,
            principal_type=a.c.principal_type,
            granted=granted,
            last_used=sa.null(),  # CloudTrail's portal events name no application
        )
    ).select_from(held)
