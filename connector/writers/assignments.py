"""Account assignments: CreateAccountAssignment / DeleteAccountAssignment and their status.

Both calls are asynchronous in AWS: they answer a request id with
``IN_PROGRESS`` and the work finishes later, ``SUCCEEDED`` or ``FAILED`` with a
``FailureReason`` (API_AccountAssignmentOperationStatus). Before either call
the assignment's presence is read from AWS itself, not the store, so that a
grant that exists costs no write and a revoke of one that does not exist
succeeds at once (as baton-aws does), and a stale store never hides a
missing grant.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from connector.aws import AwsClients
from connector.errors import AwsCallError
from connector.intents import AssignmentIntent, Grant

# AWS answers ConflictException while another request for the same assignment
# runs; waiting briefly and asking again is what the API reference advises.
CONFLICT_RETRIES = 8


@dataclass(frozen=True)
class AssignmentStatus:
    status: str  # IN_PROGRESS | SUCCEEDED | FAILED
    failure_reason: str | None = None


def assignment_exists(aws: AwsClients, instance_arn: str, intent: AssignmentIntent) -> bool:
    return any(
        item["PrincipalType"] == intent.principal_type
        and item["PrincipalId"] == intent.principal_id
        for item in aws.items(
            "sso-admin",
            "ListAccountAssignments",
            InstanceArn=instance_arn,
            AccountId=intent.account_id,
            PermissionSetArn=intent.permission_set_arn,
        )
    )


def request_parameters(instance_arn: str, intent: AssignmentIntent) -> dict[str, str]:
    """The parameters of CreateAccountAssignment / DeleteAccountAssignment (and of a
    dry run's answer, which must show exactly what would be sent)."""
    return {
        "InstanceArn": instance_arn,
        "TargetId": intent.account_id,
        "TargetType": "AWS_ACCOUNT",
        "PermissionSetArn": intent.permission_set_arn,
        "PrincipalType": intent.principal_type,
        "PrincipalId": intent.principal_id,
    }


def start(aws: AwsClients, instance_arn: str, intent: AssignmentIntent) -> str:
    """Ask AWS for the change; the request id to follow it by."""
    params = request_parameters(instance_arn, intent)
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            if isinstance(intent, Grant):
                response = aws.call("sso-admin", "CreateAccountAssignment", **params)
                return str(response["AccountAssignmentCreationStatus"]["RequestId"])
            response = aws.call("sso-admin", "DeleteAccountAssignment", **params)
            return str(response["AccountAssignmentDeletionStatus"]["RequestId"])
        except AwsCallError as exc:
            if exc.code != "ConflictException" or attempt == CONFLICT_RETRIES:
                raise
            time.sleep(min(0.25 * 2**attempt, 5.0))
    raise AssertionError("unreachable")


def status(
    aws: AwsClients, instance_arn: str, intent: AssignmentIntent, request_id: str
) -> AssignmentStatus:
    if isinstance(intent, Grant):
        found = aws.call(
            "sso-admin",
            "DescribeAccountAssignmentCreationStatus",
            InstanceArn=instance_arn,
            AccountAssignmentCreationRequestId=request_id,
        )["AccountAssignmentCreationStatus"]
    else:
        found = aws.call(
            "sso-admin",
            "DescribeAccountAssignmentDeletionStatus",
            InstanceArn=instance_arn,
            AccountAssignmentDeletionRequestId=request_id,
        )["AccountAssignmentDeletionStatus"]
    return AssignmentStatus(str(found["Status"]), found.get("FailureReason"))
