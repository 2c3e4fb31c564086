"""One exception hierarchy for the whole connector.

AWS errors become these in exactly one place (`aws.translate_error`); the CLI turns
them into a message and an exit code, the SCIM layer into SCIM error bodies.
Messages are written for the administrator who reads them: they say what went
wrong and what to do, and never carry a secret.
"""

from __future__ import annotations

from enum import StrEnum


class ConnectorError(Exception):
    """Base of every error the connector raises on purpose."""

    exit_code = 1


class ConfigError(ConnectorError):
    """Configuration is missing or invalid; nothing was attempted."""

    exit_code = 2


class CredentialsError(ConnectorError):
    """AWS rejected or could not find the credentials."""

    exit_code = 3


class AccessDeniedError(ConnectorError):
    """The credentials are valid but lack an IAM action the connector needs."""

    exit_code = 4

    def __init__(self, action: str, detail: str = "") -> None:
        self.action = action
        message = f"access denied: the credentials lack the IAM permission {action}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


class InstanceNotFoundError(ConnectorError):
    """No IAM Identity Center instance is visible, or the pinned one does not exist."""

    exit_code = 5


class AmbiguousInstanceError(ConnectorError):
    """Several instances are visible and none is pinned in the configuration."""

    exit_code = 5


class LeadershipLost(ConnectorError):
    """This process no longer leads the fleet's syncs: another replica took the lease
    over (connector.leadership), so what it was doing is left to that one."""


class AwsCallError(ConnectorError):
    """An AWS call failed for a reason other than credentials or permissions."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        self.operation = operation
        self.code = code
        super().__init__(f"{operation} failed: {code}: {message}")


class NotFoundError(AwsCallError):
    """AWS does not hold the object the request names (ResourceNotFoundException)."""


class ConflictError(AwsCallError):
    """AWS holds a conflicting object, or is changing this one (ConflictException)."""


class RevisionConflict(ConflictError):
    """The user or group changed since the Revision a conditional write was sent with
    (ConflictException, reason CONCURRENT_MODIFICATION)."""


class InvalidInputError(AwsCallError):
    """AWS refused the request's values (ValidationException)."""


class ThrottledError(AwsCallError):
    """AWS kept throttling the request past botocore's retries: it did not act on it."""


class AwsUnavailableError(AwsCallError):
    """No answer from AWS (a network failure, a timeout, a 5xx): whether AWS acted on
    the request is unknown, so a write re-checks AWS before it asks again."""


# Errors that say nothing about the request itself: asking again later may succeed.
TRANSIENT_AWS_ERRORS = (ThrottledError, AwsUnavailableError)


# -- refusals of a write, before or while it runs --------------------------------------


class IdempotencyKeyReused(ConnectorError):
    """The Idempotency-Key was used before by this client for a different request."""


class WriteConflict(ConnectorError):
    """Another request kept changing the same AWS object for too long."""


class PreconditionFailed(ConnectorError):
    """The client's If-Match named a version AWS no longer holds: someone changed the
    object since (RFC 7644 §3.14)."""


class GuardrailRefusal(ConnectorError):
    """A guardrail forbids the request, or cannot be evaluated (it fails closed)."""


class Failure(StrEnum):
    """Why a write failed, as the ledger records it and the SCIM side answers it.

    A failed step's error is one of these; so is a refusal before any step.
    The SCIM layer maps each to a status in one table (`scim.errors`).
    """

    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    INVALID_INPUT = "invalid_input"
    ACCESS_DENIED = "access_denied"
    THROTTLED = "throttled"
    WRITE_CONFLICT = "write_conflict"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    GUARDRAIL = "guardrail"
    PRECONDITION_FAILED = "precondition_failed"
    AWS_FAILED = "aws_failed"  # AWS refused otherwise, or ended a request FAILED


_FAILURES: tuple[tuple[type[ConnectorError], Failure], ...] = (
    (NotFoundError, Failure.NOT_FOUND),
    (ConflictError, Failure.CONFLICT),
    (InvalidInputError, Failure.INVALID_INPUT),
    (AccessDeniedError, Failure.ACCESS_DENIED),
    (ThrottledError, Failure.THROTTLED),
    (WriteConflict, Failure.WRITE_CONFLICT),
    (IdempotencyKeyReused, Failure.IDEMPOTENCY_KEY_REUSED),
    (GuardrailRefusal, Failure.GUARDRAIL),
    (PreconditionFailed, Failure.PRECONDITION_FAILED),
)


def failure_of(error: ConnectorError) -> Failure:
    """The failure an error stands for; AWS_FAILED for any other AWS refusal."""
    return next((found for kind, found in _FAILURES if isinstance(error, kind)), Failure.AWS_FAILED)


class ReportParameterError(ConnectorError):
    """A report was asked with a value it does not take (a malformed time, a number
    of days that is not a positive integer, an unknown format): nothing was read."""

    exit_code = 2


class StoreError(ConnectorError):
    """The store cannot be opened or used (unreachable server, unwritable path)."""

    exit_code = 6


class SyncInProgressError(ConnectorError):
    """Another sync holds the store; two syncs must not interleave their snapshots."""


class SyncInterruptedError(ConnectorError):
    """The sync was stopped by a signal before it finished."""
