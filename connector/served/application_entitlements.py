"""Application entitlements: what one's digest covers, and which stored rows change it.

An application entitlement is access to an Identity Center application
(customer managed SAML/OAuth or AWS managed), served for every application
of the instance under `connector.record_keys.application_entitlement_id`
("app.apl-..."). It shows the application's record (name, description,
provider, status, whether assignment is required, its account) and the users
and groups assigned to it by name (ListApplicationAssignments,
https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListApplicationAssignments.html),
with how each was assigned. So the application's own row, an assignment to
it, what becomes known of who made one, and a rename of one of its holders
change it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from connector.record_keys import application_entitlement_id
from connector.records import ApplicationAssignment, Snapshot
from connector.served.relations import Relations
from connector.served.rows import ApplicationRow, GroupRow, Row, Rows, UserRow
from connector.served.served_type import ServedType, fingerprint, fragment

NAME = "Entitlement"  # one served type with account entitlements (entitlements.py)


def ids(relations: Relations) -> Iterable[str]:
    return (application_entitlement_id(arn) for arn in relations.all_application_arns())


def digest(relations: Relations, resource_id: str) -> str | None:
    arn = relations.application_arn(resource_id)
    application = relations.application(arn) if arn is not None else None
    if application is None:
        return None
    return fingerprint(
        [
            relations.object_hash(application),
            sorted(
                (
                    kind,
                    principal_id,
                    relations.principal_name(kind, principal_id),
                    sorted(
                        relations.granted(
                            ApplicationAssignment(application.arn, kind, principal_id)
                        ).items()
                    ),
                )
                for kind, principal_id in relations.application_holders(application.arn)
            ),
        ]
    )


def dependents(rows: Rows, row: Row) -> Collection[str]:
    match row:
        case ApplicationRow(arn=arn) | ApplicationAssignment(application_arn=arn):
            return {application_entitlement_id(arn)}
        case UserRow(user_id=user_id):
            return _held(rows.application_assignments(principals=[("USER", user_id)]))
        case GroupRow(group_id=group_id):
            return _held(rows.application_assignments(principals=[("GROUP", group_id)]))
    return set()


def _held(held: Iterable[ApplicationAssignment]) -> set[str]:
    return {application_entitlement_id(a.application_arn) for a in held}


def load(rows: Rows, resource_ids: Collection[str]) -> Snapshot:
    applications = rows.applications(resource_ids)
    held = rows.application_assignments(application_arns=[a.arn for a in applications])
    return fragment(
        applications=applications,
        application_assignments=held,
        application_assignment_provenance=rows.application_assignment_provenance(held),
        users=rows.users({a.principal_id for a in held if a.principal_type == "USER"}),
        groups=rows.groups({a.principal_id for a in held if a.principal_type == "GROUP"}),
    )


APPLICATION_ENTITLEMENTS = ServedType(NAME, ids, digest, dependents, load)
