"""One exception hierarchy for the whole connector.

AWS errors become these in exactly one place (`aws.translate_error`); the CLI turns
them into a message and an exit code, the SCIM layer into SCIM error bodies.
Messages are written for the administrator who reads them: they say what went
wrong and what to do, and never carry a secret.
"""

from __future__ import annotations


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


class AwsCallError(ConnectorError):
    """An AWS call failed for a reason other than credentials or permissions."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        self.operation = operation
        self.code = code
        super().__init__(f"{operation} failed: {code}: {message}")


class ThrottledError(AwsCallError):
    """AWS kept throttling the request past botocore's retries: it did not act on it."""


class AwsUnavailableError(AwsCallError):
    """No answer from AWS (a network failure, a timeout, a 5xx): whether AWS acted on
    the request is unknown, so a write re-checks AWS before it asks again."""


# Errors that say nothing about the request itself: asking again later may succeed.
TRANSIENT_AWS_ERRORS = (ThrottledError, AwsUnavailableError)


class StoreError(ConnectorError):
    """The store cannot be opened or used (unreachable server, unwritable path)."""

    exit_code = 6


class SyncInProgressError(ConnectorError):
    """Another sync holds the store; two syncs must not interleave their snapshots."""


class SyncInterruptedError(ConnectorError):
    """The sync was stopped by a signal before it finished."""
