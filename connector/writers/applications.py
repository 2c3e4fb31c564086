"""Application assignments: GrantApplication (CreateApplicationAssignment) and
RevokeApplication (DeleteApplicationAssignment).

Unlike account assignments, both calls are synchronous in AWS: they answer 200
with an empty body once the assignment exists or is gone, and there is no
request status to poll
(https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateApplicationAssignment.html,
API_DeleteApplicationAssignment.html). Before either call the application's
assignments are read from AWS itself (ListApplicationAssignments), as for
account assignments: a grant that exists costs no write, a revoke of one that
does not exist succeeds at once, and a stale store never hides a missing grant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.intents import (
    AwsCall,
    Finished,
    Intent,
    PrincipalType,
    StepContext,
    StepOutcome,
    Target,
    changed,
    gone,
    principal_lock_key,
    request_id,
)
from connector.records import ApplicationAssignment
from connector.store import write_through


@dataclass(frozen=True)
class ApplicationAssignmentIntent(Intent):
    application_arn: str
    principal_type: PrincipalType
    principal_id: str

    # Whether the step makes the assignment exist (grant) or not (revoke).
    grants: ClassVar[bool] = True

    @property
    def lock_key(self) -> str:
        return (
            f"application_assignment|{self.application_arn}"
            f"|{self.principal_type}|{self.principal_id}"
        )

    @property
    def lock_keys(self) -> tuple[str, ...]:
        # As for account assignments: a deletion of the principal waits for it.
        return (self.lock_key, principal_lock_key(self.principal_type, self.principal_id))

    @property
    def subject(self) -> str | None:
        return self.principal_id

    @property
    def assignment(self) -> ApplicationAssignment:
        return ApplicationAssignment(self.application_arn, self.principal_type, self.principal_id)

    def describe(self) -> str:
        return (
            f"{self.kind.replace('_', ' ')} {self.application_arn} "
            f"to {self.principal_type} {self.principal_id}"
        )

    def parameters(self) -> dict[str, str]:
        """The parameters of CreateApplicationAssignment and DeleteApplicationAssignment
        alike (they name no instance: the application's ARN does)."""
        return {
            "ApplicationArn": self.application_arn,
            "PrincipalId": self.principal_id,
            "PrincipalType": self.principal_type,
        }

    def exists(self, aws: AwsClients) -> bool:
        return any(
            item["PrincipalType"] == self.principal_type
            and item["PrincipalId"] == self.principal_id
            for item in aws.items(
                "sso-admin", "ListApplicationAssignments", ApplicationArn=self.application_arn
            )
        )

    def apply(self, step: StepContext) -> StepOutcome:
        made = step.request_id is not None  # an earlier try made the change
        if self.exists(step.aws) != self.grants:
            (call,) = self.calls(step.target)
            made = step.called(self.send(step, call))
        return StepOutcome(changed(made))

    def send(self, step: StepContext, call: AwsCall) -> str | None:
        """Make the call; the request id of the change it made (None: none made)."""
        raise NotImplementedError


@dataclass(frozen=True)
class GrantApplication(ApplicationAssignmentIntent):
    """CreateApplicationAssignment."""

    kind: ClassVar[str] = "grant_application"
    grants: ClassVar[bool] = True

    def calls(self, target: Target) -> list[AwsCall]:
        return [AwsCall("sso-admin", "CreateApplicationAssignment", self.parameters())]

    def send(self, step: StepContext, call: AwsCall) -> str | None:
        return request_id(call.send(step.aws))

    def inverse(self, created_id: str | None) -> Intent | None:
        return RevokeApplication(self.application_arn, self.principal_type, self.principal_id)

    def change_store(self, connection: sa.Connection, finished: Finished) -> None:
        write_through.grant_application(
            connection, self.assignment, finished.at, finished.snapshot_id, finished.provenance
        )


@dataclass(frozen=True)
class RevokeApplication(ApplicationAssignmentIntent):
    """DeleteApplicationAssignment."""

    kind: ClassVar[str] = "revoke_application"
    grants: ClassVar[bool] = False
    removes_access: ClassVar[bool] = True

    def calls(self, target: Target) -> list[AwsCall]:
        return [AwsCall("sso-admin", "DeleteApplicationAssignment", self.parameters())]

    def send(self, step: StepContext, call: AwsCall) -> str | None:
        # Gone between the check and the call (another client): the goal is reached.
        return gone(lambda: call.send(step.aws))

    def inverse(self, created_id: str | None) -> Intent | None:
        return GrantApplication(self.application_arn, self.principal_type, self.principal_id)

    def change_store(self, connection: sa.Connection, finished: Finished) -> None:
        write_through.revoke_application(
            connection, self.assignment, finished.at, finished.snapshot_id
        )
