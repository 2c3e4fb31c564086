"""gunicorn's logs in the connector's log, without what a request's query carries:
tokens and filter values.

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
    """gunicorn's logger (its `logger_class`), with every query redacted, writing through
    the connector's one handler (connector.logs: one JSON object a line on stderr, text
    on a terminal) instead of gunicorn's own: its access log went to stdout and its
    messages were plain text among the JSON lines."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in [h for h in logger.handlers if getattr(h, "_gunicorn", False)]:
                logger.removeHandler(handler)
            logger.propagate = True
            logger.setLevel(logging.NOTSET)  # IDCC_LOG_LEVEL decides, as for every logger
        if not any(isinstance(f, _RedactRequests) for f in self.error_log.filters):
            self.error_log.addFilter(_RedactRequests())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        """One line per request: gunicorn's format as the message, and each part of it a
        field of its own for a log pipeline."""
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(
            self.cfg.access_log_format,
            self.atoms_wrapper_class(atoms),
            extra={
                "client": atoms["h"],
                "method": atoms["m"],
                "path": redact_target(_target(environ)),
                "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
                "bytes": atoms["B"],
                "duration_ms": atoms["M"],
            },
        )

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        # Header and environ atoms ({name}i, {name}o, {name}e) would carry the
        # Authorization header and the raw query: none is kept.
        atoms = {
            key: value
            for key, value in super().atoms(resp, req, environ, request_time).items()
            if not key.startswith("{")
        }
        target = redact_target(_target(environ))
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {target} {environ.get('SERVER_PROTOCOL')}"
        atoms["q"] = redact_query(environ.get("QUERY_STRING") or "")
        return atoms


def _target(environ: dict[str, Any]) -> str:
    target: str = environ.get("RAW_URI") or environ.get("PATH_INFO", "")
    return target


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
