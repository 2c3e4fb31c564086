"""The life-cycle of sso-admin's asynchronous requests.

CreateAccountAssignment, DeleteAccountAssignment and ProvisionPermissionSet only
start work: each answers with a request id and ``Status: IN_PROGRESS``, and the
caller polls Describe...Status until it reads SUCCEEDED or FAILED with a
FailureReason
(https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AccountAssignmentOperationStatus.html,
https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PermissionSetProvisioningStatus.html).

An ``OperationLog`` keeps every request's status record (AWS lists them through
ListAccountAssignmentCreationStatus and friends) and a queue ordered by the clock
time each request is due. Requests settle lazily: whoever reads the state first
calls ``settle(now, outcome)``, and every due request is settled in the order it
was made, so a deletion made after a creation of the same assignment settles
after it.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random

from ..behaviour import OperationKind, OperationRequest
from .assignments import AssignmentKey

IN_PROGRESS = "IN_PROGRESS"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"


@dataclass
class Operation:
    """One asynchronous request and its current status."""

    kind: OperationKind
    instance_arn: str
    permission_set_arn: str
    due: float
    # Set for assignment requests.
    assignment: AssignmentKey | None = None
    # Set for provisioning: the account, or None for ALL_PROVISIONED_ACCOUNTS.
    target_id: str | None = None
    request_id: str = field(default_factory=lambda: str(mock_random.uuid4()))
    created_date: float = field(default_factory=unix_time)
    status: str = IN_PROGRESS
    failure_reason: str | None = None

    def request(self) -> OperationRequest:
        """The public description handed to behaviour hooks."""
        if self.assignment is not None:
            return OperationRequest(
                kind=self.kind,
                request_id=self.request_id,
                instance_arn=self.instance_arn,
                permission_set_arn=self.permission_set_arn,
                target_id=self.assignment.target_id,
                principal_type=self.assignment.principal_type,
                principal_id=self.assignment.principal_id,
            )
        return OperationRequest(
            kind=self.kind,
            request_id=self.request_id,
            instance_arn=self.instance_arn,
            permission_set_arn=self.permission_set_arn,
            target_id=self.target_id,
        )

    def to_json(self) -> dict[str, Any]:
        """AccountAssignmentOperationStatus or PermissionSetProvisioningStatus."""
        body: dict[str, Any] = {"Status": self.status, "RequestId": self.request_id}
        if self.failure_reason is not None:
            body["FailureReason"] = self.failure_reason
        if self.assignment is not None:
            body.update(
                {
                    "TargetId": self.assignment.target_id,
                    "TargetType": self.assignment.target_type,
                    "PrincipalType": self.assignment.principal_type,
                    "PrincipalId": self.assignment.principal_id,
                }
            )
        elif self.target_id is not None:
            body["AccountId"] = self.target_id
        body["PermissionSetArn"] = self.permission_set_arn
        body["CreatedDate"] = self.created_date
        return body

    def to_metadata_json(self) -> dict[str, Any]:
        """The ...StatusMetadata shape of the List...Status operations."""
        return {
            "Status": self.status,
            "RequestId": self.request_id,
            "CreatedDate": self.created_date,
        }


# Decides how a due operation ends and applies its effect: returns the
# FailureReason, or None when it succeeded.
Outcome = Callable[[Operation], "str | None"]


class OperationLog:
    """Status records of every request, and the queue of those not yet settled."""

    def __init__(self) -> None:
        self._by_kind: dict[OperationKind, dict[str, Operation]] = {}
        self._pending: list[tuple[float, int, Operation]] = []
        self._sequence = itertools.count()

    def start(self, operation: Operation) -> Operation:
        self._by_kind.setdefault(operation.kind, {})[operation.request_id] = operation
        heapq.heappush(self._pending, (operation.due, next(self._sequence), operation))
        return operation

    def settle(self, now: float, outcome: Outcome) -> None:
        while self._pending and self._pending[0][0] <= now:
            entry = heapq.heappop(self._pending)
            try:
                reason = outcome(entry[2])
            except BaseException:
                # A failing behaviour hook must not lose the request: it stays queued.
                heapq.heappush(self._pending, entry)
                raise
            self._finish(entry[2], reason)

    def get(self, kind: OperationKind, request_id: str) -> Operation | None:
        return self._by_kind.get(kind, {}).get(request_id)

    def of_kind(
        self, kind: OperationKind, instance_arn: str, status: str | None
    ) -> list[Operation]:
        return [
            operation
            for operation in self._by_kind.get(kind, {}).values()
            if operation.instance_arn == instance_arn
            and (status is None or operation.status == status)
        ]

    @staticmethod
    def _finish(operation: Operation, failure_reason: str | None) -> None:
        operation.status = FAILED if failure_reason is not None else SUCCEEDED
        operation.failure_reason = failure_reason
