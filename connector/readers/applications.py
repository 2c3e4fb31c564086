"""Identity Center applications and who is assigned to them (sso-admin).

ListApplications names every application of the instance (pages of at most 50,
whatever MaxResults asks: ``ApplicationList`` holds 50); for each, one call of
GetApplicationAssignmentConfiguration says whether access needs an assignment,
and ListApplicationAssignments lists its users and groups (pages of 100). So A
applications cost ceil(A/50) + 2A calls, plus one per further page of 100
assignments (docs/sync-cost.md).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from connector.aws import AwsClients
from connector.errors import TRANSIENT_AWS_ERRORS, AccessDeniedError, AwsCallError, NotFoundError
from connector.records import Application, ApplicationAssignment

log = logging.getLogger(__name__)


def list_applications(aws: AwsClients, instance_arn: str) -> list[dict[str, Any]]:
    """The Application items of ListApplications, as AWS answers them."""
    return list(aws.items("sso-admin", "ListApplications", InstanceArn=instance_arn))


def read_application(aws: AwsClients, item: dict[str, Any]) -> Application:
    """One application, with whether assignment is required
    (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_GetApplicationAssignmentConfiguration.html).
    """
    arn = item["ApplicationArn"]
    configuration = aws.call(
        "sso-admin", "GetApplicationAssignmentConfiguration", ApplicationArn=arn
    )
    created = item.get("CreatedDate")
    return Application(
        arn=arn,
        name=item["Name"],
        provider_arn=item.get("ApplicationProviderArn") or "",
        status=item.get("Status") or "ENABLED",
        assignment_required=bool(configuration.get("AssignmentRequired", True)),
        description=item.get("Description"),
        account_id=item.get("ApplicationAccount"),
        created_at=created if isinstance(created, datetime) else None,
    )


def assignments_of_application(
    aws: AwsClients, application_arn: str
) -> list[ApplicationAssignment]:
    return [
        ApplicationAssignment(
            application_arn=application_arn,
            principal_type=item["PrincipalType"],
            principal_id=item["PrincipalId"],
        )
        for item in aws.items(
            "sso-admin", "ListApplicationAssignments", ApplicationArn=application_arn
        )
    ]


def describe_application(aws: AwsClients, application_arn: str) -> Application | None:
    """One application as AWS holds it now, or None once deleted (DescribeApplication
    answers the Application shape of ListApplications, which `read_application` reads)."""
    try:
        item = aws.call("sso-admin", "DescribeApplication", ApplicationArn=application_arn)
        return read_application(aws, item)
    except NotFoundError:
        return None


def applications_listed_for_principal(
    aws: AwsClients, instance_arn: str, principal_type: str, principal_id: str
) -> list[str] | None:
    """ARNs of the applications the principal is assigned to, as AWS lists them
    (ListApplicationAssignmentsForPrincipal), or None where AWS does not allow the
    listing (without a Filter it does only from the management account or for an
    account instance, API_ListApplicationAssignmentsForPrincipal.html).
    Throttling and outages are raised: AWS has said nothing, so the caller asks
    again."""
    try:
        items = list(
            aws.items(
                "sso-admin",
                "ListApplicationAssignmentsForPrincipal",
                InstanceArn=instance_arn,
                PrincipalType=principal_type,
                PrincipalId=principal_id,
            )
        )
    except TRANSIENT_AWS_ERRORS:
        raise
    except (AccessDeniedError, AwsCallError) as exc:
        log.info("applications of a principal not listed by AWS", extra={"error": str(exc)})
        return None
    return [
        str(item["ApplicationArn"])
        for item in items
        if item["PrincipalType"] == principal_type and item["PrincipalId"] == principal_id
    ]
