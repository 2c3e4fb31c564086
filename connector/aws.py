"""The only seam between the connector and AWS.

Every AWS request goes through `AwsClients.call` or `AwsClients.pages`, which
(1) refuse operations not declared in `aws_operations.py`, (2) pace requests
under the quotas with `RateLimiter`s, (3) count calls, HTTP attempts and
throttles, and (4) turn botocore errors into the connector's own errors, here
and nowhere else.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from connector.aws_operations import IAM_PREFIX, Operation, operation
from connector.call_stats import CallStats
from connector.config import Settings
from connector.errors import (
    AccessDeniedError,
    AwsCallError,
    AwsUnavailableError,
    ConflictError,
    ConnectorError,
    CredentialsError,
    InvalidInputError,
    NotFoundError,
    RevisionConflict,
    ThrottledError,
)
from connector.ratelimit import RateLimiter

USER_AGENT = "identity-center-connector/0.1.0"

THROTTLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)
ACCESS_DENIED_CODES = frozenset(
    {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "AuthorizationError"}
)
# AWS's answers for "try again": the request was not acted on, or may not have been.
UNAVAILABLE_CODES = frozenset(
    {
        "InternalServerException",
        "InternalFailure",
        "InternalError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
# The errors a caller decides on (AWS API reference, "Common Errors" and each
# operation's Errors): named once here, raised as the connector's own classes.
AWS_FAILURE_CLASSES: dict[str, type[AwsCallError]] = {
    "ResourceNotFoundException": NotFoundError,
    "AccountNotFoundException": NotFoundError,
    "ConflictException": ConflictError,
    "ValidationException": InvalidInputError,
}
# The Identity Store's reason for a conditional write whose Revision is stale.
CONCURRENT_MODIFICATION = "CONCURRENT_MODIFICATION"
BAD_CREDENTIALS_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredTokenException",
        "ExpiredToken",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
    }
)


# LookupEvents' quota is the account and region's, whoever asks (2 requests/s): the
# change feed's polls and the sign-in back-fill of one process share one pace.
_LOOKUP_EVENTS_PACES: dict[tuple[str, float], RateLimiter] = {}
_LOOKUP_EVENTS_LOCK = threading.Lock()


def lookup_events_pace(region: str, rate: float) -> RateLimiter:
    """The process's one pacing of LookupEvents in `region` at `rate`."""
    with _LOOKUP_EVENTS_LOCK:
        return _LOOKUP_EVENTS_PACES.setdefault((region, rate), RateLimiter(rate))


class AwsClients:
    """boto3 clients for the services the connector uses, behind one narrow API."""

    def __init__(
        self,
        session: boto3.Session,
        settings: Settings,
        *,
        stats: CallStats | None = None,
        share: Callable[[], float] = lambda: 1.0,
    ) -> None:
        self.region = settings.region
        self.stats = stats or CallStats()
        config = botocore.config.Config(
            region_name=settings.region,
            retries={"mode": "adaptive", "max_attempts": settings.aws_max_attempts},
            connect_timeout=settings.aws_connect_timeout,
            max_pool_connections=max(10, settings.sync_concurrency * 2),
            user_agent_extra=USER_AGENT,
        )
        self._clients = {
            service: session.client(service, config=config, endpoint_url=settings.aws_endpoint_url)
            for service in IAM_PREFIX
        }
        self._share = share
        self._shared_limiters = {
            "sso-admin": RateLimiter(settings.sso_admin_rps, share=share),
            "organizations": RateLimiter(settings.organizations_rps, share=share),
            "cloudtrail": lookup_events_pace(settings.region or "", settings.lookup_events_rps),
        }
        self._identitystore_rps = settings.identitystore_rps
        self._per_operation_limiters: dict[str, RateLimiter] = {}
        self._limiter_lock = threading.Lock()
        for service, client in self._clients.items():
            events = client.meta.events
            # First, so that they run before moto's in-process stub answers the request.
            events.register_first(f"before-call.{service}", self._on_call)
            events.register_first(f"before-send.{service}", self._on_send)
            events.register_first(f"needs-retry.{service}", self._on_needs_retry)

    # -- the narrow API -------------------------------------------------------

    def call(self, service: str, name: str, **params: Any) -> dict[str, Any]:
        """Call one declared operation and return its response."""
        op = operation(service, name)
        method = getattr(self._clients[service], _snake(name))
        try:
            response: dict[str, Any] = method(**params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise translate_error(op, exc) from None
        return response

    def pages(self, service: str, name: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of a declared paginated operation, asking for the largest page."""
        op = operation(service, name)
        paginator = self._clients[service].get_paginator(_snake(name))
        config = {"PageSize": op.page_size} if op.page_size else {}
        try:
            yield from paginator.paginate(**params, PaginationConfig=config)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise translate_error(op, exc) from None

    def items(self, service: str, name: str, **params: Any) -> Iterator[Any]:
        """The items of every page (the operation's declared result list)."""
        op = operation(service, name)
        assert op.result_key, f"{name} has no declared result list"
        for page in self.pages(service, name, **params):
            yield from page.get(op.result_key, [])

    # -- botocore event hooks -------------------------------------------------

    def _on_call(self, event_name: str, **_: Any) -> None:
        self.stats.record_call(_event_key(event_name))

    def _on_send(self, event_name: str, **_: Any) -> None:
        key = _event_key(event_name)
        service, name = key.split(":", 1)
        limiter = self._limiter(service, name)
        paced = limiter.acquire() if limiter else 0.0
        self.stats.record_attempt(key, paced)

    def _on_needs_retry(self, event_name: str, response: Any = None, **_: Any) -> None:
        if response is None:
            return
        http_response, parsed = response
        code = (parsed or {}).get("Error", {}).get("Code", "")
        if code in THROTTLE_CODES or getattr(http_response, "status_code", 0) == 429:
            self.stats.record_throttle(_event_key(event_name))

    def _limiter(self, service: str, name: str) -> RateLimiter | None:
        if service in self._shared_limiters:
            return self._shared_limiters[service]
        if service != "identitystore":
            return None
        with self._limiter_lock:
            limiter = self._per_operation_limiters.get(name)
            if limiter is None:
                limiter = RateLimiter(self._identitystore_rps, share=self._share)
                self._per_operation_limiters[name] = limiter
            return limiter


def translate_error(op: Operation, exc: Exception) -> ConnectorError:
    """The one place where botocore's errors become the connector's errors."""
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return CredentialsError(
            "no AWS credentials found: set IDCC_CREDENTIALS_MODE and its credentials, "
            "or provide credentials to boto3's default chain (environment, shared "
            "config, instance or task role)"
        )
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = str(error.get("Message", ""))
        if code in ACCESS_DENIED_CODES:
            return AccessDeniedError(op.iam_action, message)
        if code in BAD_CREDENTIALS_CODES:
            return CredentialsError(f"AWS rejected the credentials ({code}): {message}")
        if code in THROTTLE_CODES:
            return ThrottledError(op.name, code, message)
        if code in UNAVAILABLE_CODES:
            return AwsUnavailableError(op.name, code, message)
        if code == "ConflictException" and exc.response.get("Reason") == CONCURRENT_MODIFICATION:
            return RevisionConflict(op.name, code, message)
        return AWS_FAILURE_CLASSES.get(code, AwsCallError)(op.name, code, message)
    # No answer at all: connection refused or reset, a read timeout.
    return AwsUnavailableError(op.name, type(exc).__name__, str(exc))


def _event_key(event_name: str) -> str:
    # "before-send.sso-admin.ListInstances" -> "sso-admin:ListInstances"
    _, service, name = event_name.split(".", 2)
    return f"{service}:{name}"


def _snake(name: str) -> str:
    return botocore.xform_name(name)  # type: ignore[no-any-return]
