"""Account assignments of users and groups (sso-admin).

Either per provisioned (account, permission set) pair (ListAccountAssignments)
or per principal (ListAccountAssignmentsForPrincipal, which AWS allows only for
organization instances, called from the management account).
"""

from __future__ import annotations

import logging

from connector.aws import AwsClients
from connector.errors import TRANSIENT_AWS_ERRORS, AccessDeniedError, AwsCallError
from connector.records import Assignment, ProvisionedPair

log = logging.getLogger(__name__)


def assignments_for_pair(
    aws: AwsClients, instance_arn: str, pair: ProvisionedPair
) -> list[Assignment]:
    return [
        _assignment(item)
        for item in aws.items(
            "sso-admin",
            "ListAccountAssignments",
            InstanceArn=instance_arn,
            AccountId=pair.account_id,
            PermissionSetArn=pair.permission_set_arn,
        )
    ]


def assignments_for_principal(
    aws: AwsClients, instance_arn: str, principal_type: str, principal_id: str
) -> list[Assignment]:
    """The principal's own assignments.

    Only items naming this principal are kept, so that a group's assignment
    reported on one of its members (if AWS ever does) is not taken for a
    direct one; the group's own walk records it.
    """
    return [
        _assignment(item)
        for item in aws.items(
            "sso-admin",
            "ListAccountAssignmentsForPrincipal",
            InstanceArn=instance_arn,
            PrincipalType=principal_type,
            PrincipalId=principal_id,
        )
        if item["PrincipalId"] == principal_id and item["PrincipalType"] == principal_type
    ]


def _assignment(item: dict[str, str]) -> Assignment:
    return Assignment(
        account_id=item["AccountId"],
        permission_set_arn=item["PermissionSetArn"],
        principal_type=item["PrincipalType"],
        principal_id=item["PrincipalId"],
    )


def assignments_listed_for_principal(
    aws: AwsClients, instance_arn: str, principal_type: str, principal_id: str
) -> list[tuple[str, str]] | None:
    """(account, permission set ARN) of the principal's assignments as AWS lists them,
    or None where AWS does not allow the listing (it does only for the management
    account's organization instance). Throttling and outages are raised: AWS has
    said nothing about the listing, so the caller asks again."""
    try:
        found = assignments_for_principal(aws, instance_arn, principal_type, principal_id)
    except TRANSIENT_AWS_ERRORS:
        raise
    except (AccessDeniedError, AwsCallError) as exc:
        log.info("assignments of a principal not listed by AWS", extra={"error": str(exc)})
        return None
    return [(a.account_id, a.permission_set_arn) for a in found]
