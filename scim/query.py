"""List parameters (RFC 7644 §3.4.2) from a query string or a SearchRequest body."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scim.errors import ScimError

DEFAULT_COUNT = 100
MAX_COUNT = 1000  # published as filter.maxResults in /ServiceProviderConfig


@dataclass(frozen=True)
class ListQuery:
    filter: str | None = None
    start_index: int = 1
    count: int = DEFAULT_COUNT
    sort_by: str | None = None
    descending: bool = False
    attributes: tuple[str, ...] = ()
    excluded_attributes: tuple[str, ...] = ()


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ScimError(
            400, "attributes and excludedAttributes are lists of names", scim_type="invalidValue"
        )
    return tuple(name.strip() for name in items if name.strip())


def _integer(name: str, value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ScimError(400, f"{name} must be an integer", scim_type="invalidValue") from None


def utc_datetime(text: str) -> datetime:
    """An RFC 7643 §2.3.5 dateTime in UTC (a naive one is taken as UTC).

    ValueError when the text is not one, or when it lies outside the years 1 to
    9999 once in UTC ("9999-12-31T23:59:59-14:00"), which Python cannot hold.
    """
    value = None
    with contextlib.suppress(ValueError):
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value is None:
        raise ValueError(f'{text!r} is not a dateTime such as "2026-11-23T10:00:00Z"')
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError(f"{text!r} lies outside the years 1 to 9999 in UTC") from None


def list_query(parameters: Mapping[str, Any]) -> ListQuery:
    """Parameters by their RFC 7644 names; a name's case does not matter.

    startIndex below 1 counts as 1 and a negative count as 0 (§3.4.2.4); count
    above the maximum is capped, as §3.4.2.4 lets a service do.
    """
    given = {key.lower(): value for key, value in parameters.items()}
    order = given.get("sortorder")
    if order is not None and str(order).lower() not in ("ascending", "descending"):
        raise ScimError(400, "sortOrder is ascending or descending", scim_type="invalidValue")
    text = given.get("filter")
    if text is not None and not isinstance(text, str):
        raise ScimError(400, "filter must be a string", scim_type="invalidFilter")
    if given.get("attributes") and given.get("excludedattributes"):
        raise ScimError(
            400, "give attributes or excludedAttributes, not both", scim_type="invalidValue"
        )
    return ListQuery(
        filter=text if text else None,
        start_index=max(1, _integer("startIndex", given.get("startindex"), 1)),
        count=min(MAX_COUNT, max(0, _integer("count", given.get("count"), DEFAULT_COUNT))),
        sort_by=given.get("sortby") or None,
        descending=str(order).lower() == "descending",
        attributes=_names(given.get("attributes")),
        excluded_attributes=_names(given.get("excludedattributes")),
    )
