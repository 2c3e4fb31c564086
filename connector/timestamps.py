"""The one form of every timestamp the service and the command line print.

RFC 3339 §5.6 in UTC with `Z` (2026-12-06T18:43:12.5Z), the form RFC 7643 §2.3.5
gives SCIM's dateTime: a client that parses `meta.lastModified` parses an
operation's, a log line's or `status --json`'s the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


@overload
def rfc3339(value: datetime) -> str: ...
@overload
def rfc3339(value: None) -> None: ...
@overload
def rfc3339(value: datetime | None) -> str | None: ...
def rfc3339(value: datetime | None) -> str | None:
    """`value` in UTC, ending in Z; a naive value is UTC already (SQLite drops the offset)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
