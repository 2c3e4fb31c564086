"""The review page and its assets: no token, they hold no data. Its data is the
reports' JSON (`/reports/drift`, `/reports/review`), which needs a read token like any
read; the page sends it as a Bearer header (RFC 6750 §2.1), never in an address, under
the operator page's Content-Security-Policy (scim.operator_page.view)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

from scim.auth import needs_no_token
from scim.operator_page.view import static_file

STATIC = Path(__file__).parent / "static"

blueprint = Blueprint("review_page", __name__)


@blueprint.get("/review")
@needs_no_token
def page() -> Response:
    """The page: it shows the sign-in form until it has a token that reads the reports."""
    return static_file(STATIC, "index.html")


@blueprint.get("/review/assets/<name>")
@needs_no_token
def asset(name: str) -> Response:
    """The page's script and style (send_from_directory answers 404 outside `static/`)."""
    return static_file(STATIC, name)
