"""What a request body must be: JSON (RFC 7644 §3.8), and at most 1 MiB.

Checked before the view, so that a view reading the body sees either all of
it or never runs: 415 for another media type, 413 for a larger body, however
it is framed (Content-Length or chunked).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from scim.errors import ScimError

# Large enough for any SCIM request this service takes (a PATCH of a few
# thousand members), small enough that a client cannot exhaust memory.
MAX_REQUEST_BYTES = 1024 * 1024
# RFC 7644 §3.8 names application/scim+json; clients also send plain JSON.
JSON_MEDIA_TYPES = frozenset({"application/scim+json", "application/json"})
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def install_request_body(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    @app.before_request
    def check_body() -> None:
        # Unrouted requests answer 404 or 405 whatever their body.
        if request.method not in _WITH_BODY or request.url_rule is None:
            return
        streamed = request.content_length is None and "wsgi.input_terminated" in request.environ
        if request.mimetype not in JSON_MEDIA_TYPES and (
            request.mimetype or streamed or request.content_length
        ):
            raise _unsupported_media_type()
        if streamed:
            _read_streamed_body()


def _unsupported_media_type() -> ScimError:
    """415 naming what was sent and what is taken (RFC 7644 §3.1 and §8.1: SCIM
    messages are application/scim+json; application/json is taken too), so a
    client's administrator sees which header to fix rather than a JSON error
    about a body that may well be JSON. A refused PATCH also names the types in
    `Accept-Patch` (RFC 5789 §2.2)."""
    accepted = sorted(JSON_MEDIA_TYPES, reverse=True)  # application/scim+json first
    sent = request.mimetype or "no media type"
    headers = {"Accept-Patch": ", ".join(accepted)} if request.method == "PATCH" else None
    return ScimError(
        415, f"the body is sent as {sent}: send it as {' or '.join(accepted)}", headers=headers
    )


def _read_streamed_body() -> None:
    """Read a body sent without Content-Length (chunked), refusing it when too large.

    Werkzeug reads such a body up to MAX_CONTENT_LENGTH and then stops as if it
    had ended, so a larger one reached the view cut short and failed as
    malformed JSON (400). Whatever is left on the server's stream past the
    limit tells the two apart; the body read is cached for the view.
    """
    request.get_data()
    if request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
