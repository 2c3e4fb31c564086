"""SCIM errors (RFC 7644 §3.12), raised anywhere and rendered in one place.

Every error the service answers has the SCIM error body, the status as a
string, a `scimType` where RFC 7644 Table 9 defines one, and a detail written
for the client's administrator. Tracebacks go to the log, never the client.
`response_for` is that one place: the app's only error handler, and what the
end of a request's store transaction (`scim.request_store`) answers when it
fails after the view built its answer.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from connector.errors import (
    TRANSIENT_AWS_ERRORS,
    ConnectorError,
    Failure,
    GuardrailRefusal,
    IdempotencyKeyReused,
    StoreError,
    WriteConflict,
    failure_of,
)
from schemas.resources import dump_error

log = logging.getLogger(__name__)

SCIM_MEDIA_TYPE = "application/scim+json"
# RFC 9110 §10.2.3: when a client should try again after a 503.
RETRY_AFTER_SECONDS = 30


class ScimError(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        scim_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        self.headers = headers or {}


# The answer to each failure of a write (connector.errors.Failure): the one table
# for a failed operation (its final answer, `/Operations`) and for a refusal
# raised while a request runs. AWS's refusal of the client's input is the
# client's to fix (4xx); anything else AWS answered is a bad gateway (502).
FAILURE_ANSWERS: dict[Failure, tuple[int, str | None]] = {
    Failure.NOT_FOUND: (404, None),
    Failure.CONFLICT: (409, "uniqueness"),
    Failure.INVALID_INPUT: (400, "invalidValue"),
    Failure.WRITE_CONFLICT: (409, None),
    Failure.IDEMPOTENCY_KEY_REUSED: (409, "uniqueness"),
    Failure.GUARDRAIL: (403, None),
    Failure.PRECONDITION_FAILED: (412, None),
    Failure.ACCESS_DENIED: (502, None),
    Failure.THROTTLED: (502, None),
    Failure.AWS_FAILED: (502, None),
}
# Refusals of a write raised while its request runs, answered from the table.
_REFUSALS = (IdempotencyKeyReused, GuardrailRefusal, WriteConflict)


def failure_error(
    failure: Failure, detail: str, headers: dict[str, str] | None = None
) -> ScimError:
    status, scim_type = FAILURE_ANSWERS[failure]
    return ScimError(status, detail, scim_type=scim_type, headers=headers)


def error_response(error: ScimError) -> Response:
    response = jsonify(dump_error(error.status, error.detail, scim_type=error.scim_type))
    response.status_code = error.status
    response.mimetype = SCIM_MEDIA_TYPE
    response.headers.update(error.headers)
    return response


# The detail of each HTTP error that is not the service's own: werkzeug's, and
# those gunicorn answers itself (scim.gunicorn_worker). Each keeps its status.
HTTP_DETAILS = {
    400: "the request is malformed",
    403: "the request is refused",
    404: "no such endpoint",
    405: "this method is not allowed on this endpoint",
    406: "the service answers application/scim+json or application/json",
    413: "the request body is too large",
    414: "the request line (path and query) is too long",
    415: "send application/scim+json or application/json",
    417: "the expectation in the Expect header cannot be met",
    431: "the request headers are too large",
    500: "internal error; the service log has the details",
    501: "the request uses a transfer coding this service does not support",
}


def store_unavailable(error: BaseException) -> bool:
    """Whether `error` means the store cannot answer now, rather than a wrong query.

    A server gone or restarting, a dropped connection, a full pool, a SQLite
    file locked by another writer (OperationalError) or unreadable
    (DatabaseError itself): the client should retry later. Integrity and
    programming errors, DatabaseError's other kinds, are the code's own.
    """
    if isinstance(
        error,
        (sa.exc.OperationalError, sa.exc.DisconnectionError, sa.exc.TimeoutError, StoreError),
    ):
        return True
    return type(error) is sa.exc.DatabaseError


def _reason(error: BaseException) -> str:
    """The driver's first line, for the log: never the statement or its parameters,
    which carry filter values."""
    text = str(getattr(error, "orig", None) or error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"


def response_for(error: Exception) -> Response:
    """The SCIM answer to any exception a request raised."""
    if isinstance(error, ScimError):
        return error_response(error)
    if isinstance(error, _REFUSALS):
        return error_response(failure_error(failure_of(error), str(error)))
    if isinstance(error, HTTPException):
        status = error.code or 500
        response = error_response(ScimError(status, HTTP_DETAILS.get(status, error.name)))
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response
    if store_unavailable(error):
        log.error("the store is unavailable", extra={"error": _reason(error)})
        return error_response(
            ScimError(
                503,
                "the store is unavailable; try again later",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        )
    if isinstance(error, TRANSIENT_AWS_ERRORS):
        log.error("AWS is throttling or unavailable", extra={"error": str(error)})
        return error_response(
            ScimError(
                503,
                f"AWS is throttling or unavailable; try again later ({error})",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        )
    if isinstance(error, ConnectorError):
        log.error("connector error", extra={"error": str(error)})
        return error_response(ScimError(500, str(error)))
    log.exception("unexpected error")
    return error_response(ScimError(500, HTTP_DETAILS[500]))


def register_error_handlers(app: Flask) -> None:
    # One handler for every exception, werkzeug's HTTP errors included: Flask
    # picks the handler by class, and Exception is the base of them all.
    app.register_error_handler(Exception, response_for)
