"""IAM enforcement errors in the shape AWS gives JSON-protocol services.

With IAM enforcement on, moto answers a denied or unsigned request with the
XML error of query-protocol services (`<Code>AccessDenied</Code>`, HTTP 403)
whatever the service. sso-admin, identitystore and Organizations speak the
JSON protocol, where AWS answers `AccessDeniedException` or
`UnrecognizedClientException` as JSON, and botocore parses only that: against
plain moto a client sees error code "403" and cannot tell a missing permission
from any other failure. This correction renders those errors as AWS does for
requests made in the JSON protocol (they carry an `X-Amz-Target` header),
leaving query-protocol services such as STS and IAM as they are.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.core.exceptions import (
    AccessDeniedError,
    InvalidClientTokenIdError,
    JsonRESTError,
    SignatureDoesNotMatchError,
)
from moto.core.responses import BaseResponse

_JSON_ERRORS: dict[type[Exception], str] = {
    AccessDeniedError: "AccessDeniedException",
    InvalidClientTokenIdError: "UnrecognizedClientException",
    SignatureDoesNotMatchError: "InvalidSignatureException",
}

_lock = threading.Lock()
_original = BaseResponse._authenticate_and_authorize_normal_action


def _authenticate_and_authorize(self: BaseResponse, resource: str = "*") -> None:
    try:
        _original(self, resource)
    except tuple(_JSON_ERRORS) as error:
        if not self.headers.get("X-Amz-Target"):
            raise
        raise JsonRESTError(_JSON_ERRORS[type(error)], _message(error)) from None


def _message(error: Any) -> str:
    return str(getattr(error, "message", "")) or str(error)


def install() -> None:
    """Idempotent: replaces the check once, for the in-process mock and the server."""
    with _lock:
        BaseResponse._authenticate_and_authorize_normal_action = _authenticate_and_authorize  # type: ignore[method-assign,assignment]
