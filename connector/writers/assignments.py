"""Account assignments: Grant (CreateAccountAssignment) and Revoke (DeleteAccountAssignment).

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
from typing import Any, ClassVar

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import ConflictError, Failure, NotFoundError
from connector.intents import (
    AwsCall,
    Finished,
    Intent,
    PrincipalType,
    StepContext,
    StepOutcome,
    Target,
    principal_lock_key,
)
from connector.records import Assignment
from connector.store import write_through

# AWS answers ConflictException while another request for the same assignment
# runs; waiting briefly and asking again is what the API reference advises.
CONFLICT_RETRIES = 8


@dataclass(frozen=True)
class AssignmentIntent(Intent):
    account_id: str
    permission_set_arn: str
    principal_type: PrincipalType
    principal_id: str

    # Whether the step makes the assignment exist (Grant) or not (Revoke).
    grants: ClassVar[bool] = True

    @property
    def lock_key(self) -> str:
        return (
            f"assignment|{self.account_id}|{self.permission_set_arn}"
            f"|{self.principal_type}|{self.principal_id}"
        )

    @property
    def lock_keys(self) -> tuple[str, ...]:
        # A deletion of the principal holds its principal key: it decides what to
        # revoke only once no grant to the principal is still running.
        return (self.lock_key, principal_lock_key(self.principal_type, self.principal_id))

    @property
    def subject(self) -> str | None:
        return self.principal_id

    @property
    def assignment(self) -> Assignment:
        return Assignment(
            self.account_id, self.permission_set_arn, self.principal_type, self.principal_id
        )

    def describe(self) -> str:
        return (
            f"{self.kind} {self.permission_set_arn} in {self.account_id} "
            f"to {self.principal_type} {self.principal_id}"
        )

    def parameters(self, target: Target) -> dict[str, str]:
        """The parameters of CreateAccountAssignment and DeleteAccountAssignment alike."""
        return {
            "InstanceArn": target.instance_arn,
            "TargetId": self.account_id,
            "TargetType": "AWS_ACCOUNT",
            "PermissionSetArn": self.permission_set_arn,
            "PrincipalType": self.principal_type,
            "PrincipalId": self.principal_id,
        }

    def apply(self, step: StepContext) -> StepOutcome:
        request_id = step.request_id
        if request_id is None:
            if self.exists(step.aws, step.target) == self.grants:
                return StepOutcome("unchanged")
            request_id = self._start(step)
            step.called(request_id)
        while True:
            try:
                status, reason = self.status(step.aws, step.target, request_id)
            except NotFoundError:
                # AWS no longer knows the request (a resumed poll, long after):
                # what it holds now is the answer.
                if self.exists(step.aws, step.target) != self.grants:
                    raise
                return StepOutcome("succeeded")
            if status == "SUCCEEDED":
                return StepOutcome("succeeded")
            if status == "FAILED":
                return StepOutcome(
                    "failed",
                    error_code="AssignmentFailed",
                    failure_reason=reason or "AWS gave no reason",
                    failure=Failure.AWS_FAILED,
                )
            step.pause(f"AWS request {request_id} in progress")

    def exists(self, aws: AwsClients, target: Target) -> bool:
        return any(
            item["PrincipalType"] == self.principal_type
            and item["PrincipalId"] == self.principal_id
            for item in aws.items(
                "sso-admin",
                "ListAccountAssignments",
                InstanceArn=target.instance_arn,
                AccountId=self.account_id,
                PermissionSetArn=self.permission_set_arn,
            )
        )

    def _start(self, step: StepContext) -> str:
        """Ask AWS for the change; the request id to follow it by."""
        (call,) = self.calls(step.target)
        for attempt in range(CONFLICT_RETRIES + 1):
            try:
                return self.request_id_of(call.send(step.aws))
            except ConflictError:
                if attempt == CONFLICT_RETRIES:
                    raise
                time.sleep(min(0.25 * 2**attempt, 5.0))
        raise AssertionError("unreachable")

    def request_id_of(self, response: dict[str, Any]) -> str:
        raise NotImplementedError

    def status(self, aws: AwsClients, target: Target, request_id: str) -> tuple[str, str | None]:
        """(IN_PROGRESS | SUCCEEDED | FAILED, AWS's reason for a failure)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Grant(AssignmentIntent):
    """CreateAccountAssignment (which also provisions the permission set to the account)."""

    kind: ClassVar[str] = "grant"
    grants: ClassVar[bool] = True

    def calls(self, target: Target) -> list[AwsCall]:
        return [AwsCall("sso-admin", "CreateAccountAssignment", self.parameters(target))]

    def request_id_of(self, response: dict[str, Any]) -> str:
        return str(response["AccountAssignmentCreationStatus"]["RequestId"])

    def status(self, aws: AwsClients, target: Target, request_id: str) -> tuple[str, str | None]:
        found = aws.call(
            "sso-admin",
            "DescribeAccountAssignmentCreationStatus",
            InstanceArn=target.instance_arn,
            AccountAssignmentCreationRequestId=request_id,
        )["AccountAssignmentCreationStatus"]
        return str(found["Status"]), found.get("FailureReason")

    def inverse(self, created_id: str | None) -> Intent | None:
        return Revoke(
            self.account_id, self.permission_set_arn, self.principal_type, self.principal_id
        )

    def change_store(self, connection: sa.Connection, finished: Finished) -> None:
        write_through.grant(
            connection, self.assignment, finished.at, finished.snapshot_id, finished.provenance
        )


@dataclass(frozen=True)
class Revoke(AssignmentIntent):
    """DeleteAccountAssignment."""

    kind: ClassVar[str] = "revoke"
    grants: ClassVar[bool] = False
    removes_access: ClassVar[bool] = True

    def calls(self, target: Target) -> list[AwsCall]:
        return [AwsCall("sso-admin", "DeleteAccountAssignment", self.parameters(target))]

    def request_id_of(self, response: dict[str, Any]) -> str:
        return str(response["AccountAssignmentDeletionStatus"]["RequestId"])

    def status(self, aws: AwsClients, target: Target, request_id: str) -> tuple[str, str | None]:
        found = aws.call(
            "sso-admin",
            "DescribeAccountAssignmentDeletionStatus",
            InstanceArn=target.instance_arn,
            AccountAssignmentDeletionRequestId=request_id,
        )["AccountAssignmentDeletionStatus"]
        return str(found["Status"]), found.get("FailureReason")

    def inverse(self, created_id: str | None) -> Intent | None:
        return Grant(
            self.account_id, self.permission_set_arn, self.principal_type, self.principal_id
        )

    def change_store(self, connection: sa.Connection, finished: Finished) -> None:
        write_through.revoke(connection, self.assignment, finished.at, finished.snapshot_id)
