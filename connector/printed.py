"""How the commands print moments and JSON: in the one form the service uses
(connector.timestamps), to the second for a person, in full in `--json`."""

from __future__ import annotations

import json
from datetime import datetime

from connector.timestamps import rfc3339


def when(moment: datetime | None) -> str:
    """A moment as the command prints it to a person: RFC 3339 with Z (connector.timestamps),
    to the second."""
    return "-" if moment is None else rfc3339(moment.replace(microsecond=0))


def to_json(value: object) -> str:
    """`value` as JSON, each timestamp in the one form the service prints (RFC 3339, Z)."""
    return json.dumps(value, indent=2, default=_json_default)


def _json_default(value: object) -> object:
    return rfc3339(value) if isinstance(value, datetime) else str(value)
