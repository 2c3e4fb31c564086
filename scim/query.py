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
# Past any store's size, within any SQL integer: a startIndex beyond it asks for
# a page after the last result all the same, and gets it (empty).
MAX_START_INDEX = 2**31 - 1


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
    if isinstance(value, bool):
        raise ScimError(400, f"{name} must be an integer", scim_type="invalidValue")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ScimError(400, f"{name} must be an integer", scim_type="invalidValue") from None


def page(parameters: Mapping[str, Any]) -> tuple[int, int]:
    """(startIndex, count) as RFC 7644 §3.4.2.4 reads them, from lower-cased names.

    Every integer means something there, so none is refused: a startIndex
    below 1 is 1 and one past the results gives an empty page (so one beyond
    MAX_START_INDEX is read as MAX_START_INDEX: the same empty page, and no SQL
    integer overflows); a negative count is 0 and one above MAX_COUNT is
    reduced to it, as the service may. Only what is not an integer is a 400
    `invalidValue`.
    """
    start = _integer("startIndex", parameters.get("startindex"), 1)
    count = _integer("count", parameters.get("count"), DEFAULT_COUNT)
    return min(max(1, start), MAX_START_INDEX), min(MAX_COUNT, max(0, count))


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

    startIndex and count are read by `page` (§3.4.2.4).
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
    start_index, count = page(given)
    return ListQuery(
        filter=text if text else None,
        start_index=start_index,
        count=count,
        sort_by=given.get("sortby") or None,
        descending=str(order).lower() == "descending",
        attributes=_names(given.get("attributes")),
        excluded_attributes=_names(given.get("excludedattributes")),
    )
