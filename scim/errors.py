"""SCIM errors (RFC 7644 §3.12), raised anywhere and rendered in one place.

Every error the service answers has the SCIM error body, the status as a
string, a `scimType` where RFC 7644 Table 9 defines one, and a detail written
for the client's administrator. Tracebacks go to the log, never the client.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from connector.errors import ConnectorError
from schemas.resources import dump_error

log = logging.getLogger(__name__)

SCIM_MEDIA_TYPE = "application/scim+json"


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


def error_response(error: ScimError) -> Response:
    response = jsonify(dump_error(error.status, error.detail, scim_type=error.scim_type))
    response.status_code = error.status
    response.mimetype = SCIM_MEDIA_TYPE
    response.headers.update(error.headers)
    return response


# What werkzeug's own errors become; 413 and 405 keep their status.
_HTTP_DETAILS = {
    400: "the request is malformed",
    404: "no such endpoint",
    405: "this method is not allowed on this endpoint",
    406: "the service answers application/scim+json or application/json",
    413: "the request body is too large",
    415: "send application/scim+json or application/json",
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ScimError)
    def scim_error(error: ScimError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        response = error_response(ScimError(status, _HTTP_DETAILS.get(status, error.name)))
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(ConnectorError)
    def connector_error(error: ConnectorError) -> Response:
        log.error("connector error", extra={"error": str(error)})
        return error_response(ScimError(500, str(error)))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return error_response(ScimError(500, "internal error; the service log has the details"))
