"""The operator page's endpoints: the page and its assets (no token: they hold no data),
and its data (a read token, as any SCIM read).

The token stays out of URLs and logs: the page sends it as a Bearer header
(RFC 6750 §2.1) to `operator/overview`, never as a query parameter, and the
access log records no header. The page's Content-Security-Policy allows only
the service's own scripts, styles and requests, so no injected script can
read the token from sessionStorage or send it elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, send_from_directory

from scim.auth import needs_no_token
from scim.operator_page.overview import overview

STATIC = Path(__file__).parent / "static"
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)

blueprint = Blueprint("operator_page", __name__)


@blueprint.get("/")
@needs_no_token
def page() -> Response:
    """The page: it shows the sign-in form until it has a token that reads its data."""
    return static_file(STATIC, "index.html")


@blueprint.get("/operator/assets/<name>")
@needs_no_token
def asset(name: str) -> Response:
    """The page's script and style (send_from_directory answers 404 outside `static/`)."""
    return static_file(STATIC, name)


@blueprint.get("/operator/overview")
def data() -> Response:
    """The page's data, never cached: it changes with every sync and write."""
    settings = current_app.config["IDCC_SETTINGS"]
    answer = jsonify(overview(current_app.extensions["idcc_store"], settings))
    answer.headers["Cache-Control"] = "no-store"
    return answer


def static_file(folder: Path, name: str) -> Response:
    """A file of a page's `folder`, under the policy above (the review page's too)."""
    answer = send_from_directory(folder, name, max_age=0)
    answer.headers["Content-Security-Policy"] = _POLICY
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.headers["Referrer-Policy"] = "no-referrer"
    return answer
