"""gunicorn's logs without what a request's query carries: tokens and filter values.

A client may send its token as `?access_token=...` (RFC 6750 §2.3, refused
here with 401), and filters carry userNames and emails. The access log keeps
the path and the names of the query's parameters, each value replaced by
`<redacted>`; gunicorn's own messages that quote a request (one it refuses,
one whose handling failed) are redacted too. No header is logged.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

REDACTED = "<redacted>"
# A parameter name worth keeping (SCIM's are at most 18 characters); anything
# else, a token sent as a bare `?idcc_...` for one, is redacted like a value.
_NAME = re.compile(r"^[A-Za-z0-9_.\[\]-]{1,32}$")
# In gunicorn's messages: what it quotes of a request it refuses (a request
# line or a part of it, a header, a method), and a query after a path.
_QUOTED = re.compile(r"'.*'")
_QUERY = re.compile(r"\?\S*")


def redact_query(query: str) -> str:
    """`filter=<redacted>&count=<redacted>` for `filter=...&count=...`: names only."""
    if not query:
        return ""
    parts = query.split("#", 1)[0].split("&")
    names = (part.split("=", 1)[0] for part in parts)
    return "&".join(f"{name if _NAME.match(name) else REDACTED}={REDACTED}" for name in names)


def redact_target(target: str) -> str:
    """A request target (path and query) with its query redacted and no fragment."""
    path, mark, query = target.partition("?")
    path = path.split("#", 1)[0]
    return f"{path}?{redact_query(query)}" if mark else path


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with every query redacted (gunicorn's `logger_class`)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(f, _RedactRequests) for f in self.error_log.filters):
            self.error_log.addFilter(_RedactRequests())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        # Header and environ atoms ({name}i, {name}o, {name}e) would carry the
        # Authorization header and the raw query: none is kept.
        atoms = {
            key: value
            for key, value in super().atoms(resp, req, environ, request_time).items()
            if not key.startswith("{")
        }
        target = redact_target(environ.get("RAW_URI") or environ.get("PATH_INFO", ""))
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {target} {environ.get('SERVER_PROTOCOL')}"
        atoms["q"] = redact_query(environ.get("QUERY_STRING") or "")
        return atoms


class _RedactRequests(logging.Filter):
    """Redacts gunicorn's error log messages: the quoted parts of a refused request
    whole (a malformed request line has no reliable query to find in it), and
    the queries of well-formed ones (`Error handling request GET /path?...`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _QUOTED.sub(f"'{REDACTED}'", message)
        redacted = _QUERY.sub(lambda m: "?" + redact_query(m.group(0)[1:]), redacted)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
