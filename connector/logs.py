"""Structured logs: one JSON object a line in production, readable text on a terminal.

Nothing logged here carries a secret: the connector never logs settings,
credentials or tokens, and AWS error messages name actions, not keys.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from connector.errors import ConfigError
from connector.timestamps import rfc3339

LOG_VARIABLES = ("IDCC_LOG_FORMAT", "IDCC_LOG_LEVEL")
# Attributes every LogRecord has; anything else was passed through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": rfc3339(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        document.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str, ensure_ascii=False)


def configure_logging(level: str | None = None, *, json_format: bool | None = None) -> bool:
    """JSON unless writing to a terminal; IDCC_LOG_FORMAT=json|text and IDCC_LOG_LEVEL override.
    Whether lines are JSON.

    Everything goes through the root logger's one handler on stderr: the
    connector's own loggers, gunicorn's (`scim.access_log` hands them over) and
    Python's warnings, so a log pipeline reads one JSON object a line whatever
    wrote it.
    """
    level = (level or os.environ.get("IDCC_LOG_LEVEL", "INFO")).upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"IDCC_LOG_LEVEL: {level!r} is not DEBUG, INFO, WARNING or ERROR")
    if json_format is None:
        chosen = os.environ.get("IDCC_LOG_FORMAT", "").lower()
        if chosen not in ("", "json", "text"):
            raise ConfigError(f"IDCC_LOG_FORMAT: {chosen!r} is not json or text")
        json_format = chosen == "json" if chosen else not sys.stderr.isatty()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if json_format else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # botocore logs request details at DEBUG, and Alembic each migration step (and
    # which database it found) at INFO on every command that opens the store: keep
    # both quiet unless asked.
    for chatty in ("botocore", "alembic"):
        logging.getLogger(chatty).setLevel(max(root.level, logging.WARNING))
    logging.captureWarnings(True)
    return json_format


def logging_environment() -> dict[str, str]:
    """The logging variables of this process, for a child that must log as it does
    (`serve`'s sync process, which is given its settings and nothing else of IDCC_)."""
    return {name: os.environ[name] for name in LOG_VARIABLES if name in os.environ}
