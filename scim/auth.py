"""Bearer tokens (RFC 6750) on every endpoint but /health and /ready.

No token or an unknown one: 401 with `WWW-Authenticate: Bearer`. A read token
on an endpoint that writes: 403. Tokens are compared by their SHA-256 hash,
finally in constant time (connector.tokens), and never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request

from connector.tokens import TokenInfo, check_token
from scim.errors import ScimError
from scim.request_store import request_connection

OPEN_PATHS = frozenset({"/health", "/ready"})
_CHALLENGE = 'Bearer realm="identity-center-connector"'

F = TypeVar("F", bound=Callable[..., Any])


def requires_write(view: F) -> F:
    """Marks a view that changes something: it needs a write token."""
    view.requires_write = True  # type: ignore[attr-defined]
    return view


def install_auth(app: Flask) -> None:
    @app.before_request
    def authenticate() -> None:
        if request.path in OPEN_PATHS:
            return
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ScimError(
                401, "a bearer token is required", headers={"WWW-Authenticate": _CHALLENGE}
            )
        info = check_token(request_connection(), token.strip())
        if info is None:
            raise ScimError(
                401,
                "the token is not valid (unknown or revoked)",
                headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
            )
        g.token = info
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "requires_write", False) and info.scope != "write":
            raise ScimError(
                403,
                f"the token {info.name!r} has the read scope; this request needs a write token",
                headers={"WWW-Authenticate": f'{_CHALLENGE}, error="insufficient_scope"'},
            )


def current_token() -> TokenInfo:
    token: TokenInfo = g.token
    return token
