"""Bearer tokens (RFC 6750) on every endpoint but /health, /ready and the operator page's
shell and assets (which hold no data; the page's data needs a read token).

No token or an unknown one: 401 with `WWW-Authenticate: Bearer`. A read token
on an endpoint that writes, or a metrics token anywhere but /metrics: 403.
Each refusal is counted (`idcc_auth_failures_total`). Tokens are compared by their SHA-256 hash,
finally in constant time (connector.tokens), and never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request

from connector.tokens import TokenInfo, check_token
from scim.errors import ScimError
from scim.request_metrics import count_auth_failure
from scim.request_store import request_connection

OPEN_PATHS = frozenset({"/health", "/ready"})
_CHALLENGE = 'Bearer realm="identity-center-connector"'

F = TypeVar("F", bound=Callable[..., Any])


def requires_write(view: F) -> F:
    """Marks a view that changes something: it needs a write token."""
    view.requires_write = True  # type: ignore[attr-defined]
    return view


def serves_metrics(view: F) -> F:
    """Marks the view a metrics token may reach: /metrics, and nothing else."""
    view.serves_metrics = True  # type: ignore[attr-defined]
    return view


def needs_no_token(view: F) -> F:
    """Marks a view that serves no data (the operator page's HTML, script and style): a
    browser loads it before the operator has typed a token."""
    view.needs_no_token = True  # type: ignore[attr-defined]
    return view


def install_auth(app: Flask) -> None:
    @app.before_request
    def authenticate() -> None:
        view = current_app.view_functions.get(request.endpoint or "")
        if request.path in OPEN_PATHS or getattr(view, "needs_no_token", False):
            return
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            count_auth_failure("missing")
            raise ScimError(
                401, "a bearer token is required", headers={"WWW-Authenticate": _CHALLENGE}
            )
        info = check_token(request_connection(), token.strip())
        if info is None:
            count_auth_failure("invalid")
            raise ScimError(
                401,
                "the token is not valid (unknown or revoked)",
                headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
            )
        g.token = info
        needed = _scope_needed(view, info.scope)
        if needed is not None:
            count_auth_failure("insufficient_scope")
            raise ScimError(
                403,
                f"the token {info.name!r} has the {info.scope} scope; this request needs {needed}",
                headers={"WWW-Authenticate": f'{_CHALLENGE}, error="insufficient_scope"'},
            )


def _scope_needed(view: Any, scope: str) -> str | None:
    """What the view needs that a token of `scope` lacks (None: nothing). A metrics
    token reads /metrics only: whoever holds a monitoring system's token must not
    read every identity through it. Any token may read /metrics."""
    if getattr(view, "serves_metrics", False):
        return None
    if scope == "metrics":
        return "a read or write token (a metrics token reads /metrics only)"
    if getattr(view, "requires_write", False) and scope != "write":
        return "a write token"
    return None


def current_token() -> TokenInfo:
    token: TokenInfo = g.token
    return token
