"""The reports' parameters (drift, review export), read from text the same way on the CLI
and over HTTP.

Both sides hand over what the person typed, and the name they typed it under
(`--unused-days` on the CLI, `unusedDays` over HTTP); a value the report does not take is
refused here with a `ReportParameterError` naming it (exit code 2 on the CLI, a
SCIM 400 invalidValue over HTTP), before anything is read.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar

from connector.errors import ReportParameterError

Format = Literal["text", "json"]
FORMATS: tuple[Format, ...] = ("text", "json")
ExportFormat = Literal["csv", "json"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "json")
AnyFormat = TypeVar("AnyFormat", Format, ExportFormat)
DEFAULT_UNUSED_DAYS = 90
# A century: beyond it a threshold date would leave the years Python can hold.
MAX_UNUSED_DAYS = 36_500


@dataclass(frozen=True)
class DriftQuery:
    """Out-of-band changes since `since` (None: every one the store knows of), and
    access unused for more than `unused_days`."""

    since: datetime | None = None
    unused_days: int = DEFAULT_UNUSED_DAYS


@dataclass(frozen=True)
class ExportQuery:
    """The review export's filters: each None takes every value. An account or a group is
    named by its id or name, a permission set by its ARN, id ("ps-...") or name, an
    application by its ARN, entitlement id ("app.apl-...") or name, an OU by its name or
    path, which takes the OUs beneath it too, or by the id of the OU an account is in;
    `unused_days` keeps the rows unused for at least that many days."""

    account: str | None = None
    ou: str | None = None
    permission_set: str | None = None
    application: str | None = None
    group: str | None = None
    unused_days: int | None = None


def parse_since(text: str | None, name: str) -> datetime | None:
    """An ISO 8601 time (RFC 3339; a time without offset is UTC), in UTC."""
    if text is None:
        return None
    value = None
    with contextlib.suppress(ValueError):
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value is None:
        raise ReportParameterError(
            f'{name}: {text!r} is not a time such as "2026-11-23T10:00:00Z" or "2026-11-23"'
        )
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        raise ReportParameterError(
            f"{name}: {text!r} lies outside the years 1 to 9999 in UTC"
        ) from None


def parse_unused_days(text: str | None, name: str) -> int:
    """A whole, positive number of days (decimal digits only: not "1.5", "-3" or "1e3")."""
    if text is None:
        return DEFAULT_UNUSED_DAYS
    stripped = text.strip()
    if (
        not stripped.isascii()
        or not stripped.isdigit()
        or not 1 <= int(stripped) <= MAX_UNUSED_DAYS
    ):
        raise ReportParameterError(
            f"{name}: {text!r} is not a whole number of days from 1 to {MAX_UNUSED_DAYS}"
        )
    return int(stripped)


def parse_format(
    text: str | None, name: str, default: AnyFormat, formats: tuple[AnyFormat, ...]
) -> AnyFormat:
    if text is None:
        return default
    for known in formats:
        if text == known:
            return known
    raise ReportParameterError(f"{name}: {text!r} is not one of {', '.join(formats)}")


def parse_name(text: str | None, name: str) -> str | None:
    """An id or a name to filter on: anything but blank."""
    if text is None:
        return None
    if not text.strip():
        raise ReportParameterError(f"{name}: {text!r} is blank: give an id or a name")
    return text.strip()
