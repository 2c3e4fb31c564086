"""CloudTrail LookupEvents over an event history, as the CloudTrail API Reference describes it.

moto 5.2.5 does not implement LookupEvents (an extension, not a correction).
What AWS specifies and the simulator does
(https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html,
and botocore's cloudtrail 2013-11-01 model):

- ``LookupAttributes``: "Currently the list can contain only one item"; keys
  EventId, EventName, ReadOnly, Username, ResourceType, ResourceName,
  EventSource, AccessKeyId, matched exactly. More than one item, or another key:
  InvalidLookupAttributesException.
- ``StartTime`` "after or at", ``EndTime`` "before or at" (both inclusive, on
  the whole seconds of ``eventTime``); a start after the end:
  InvalidTimeRangeException.
- ``MaxResults`` 1-50, default 50 (InvalidMaxResultsException outside).
- ``NextToken`` "must be passed in with the same parameters that were specified
  in the original call" (InvalidNextTokenException otherwise, or when it is not
  a token this service gave). A token marks the last event returned, so events
  that arrive between pages do not shift the next page.
- "The most recent event is listed first"; only events that have arrived
  (history.py) and "that occurred in a Region within the last 90 days".
- ``EventCategory`` "insight": the simulator records no Insights events, so none.

The events the simulator records list no resources, as AWS's Identity Center
events do not, so a ResourceType or ResourceName lookup finds nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .exceptions import (
    InvalidEventCategoryException,
    InvalidLookupAttributesException,
    InvalidMaxResultsException,
    InvalidNextTokenException,
    InvalidTimeRangeException,
)
from .history import StoredEvent

MAX_RESULTS = 50
ATTRIBUTE_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)


@dataclass(frozen=True)
class LookupQuery:
    """A validated LookupEvents request."""

    attribute: tuple[str, str] | None
    start_time: float | None
    end_time: float | None
    insights: bool
    max_results: int
    after: tuple[int, int] | None  # (eventTime, sequence) of the previous page's last event
    fingerprint: str


def parse_query(params: dict[str, Any]) -> LookupQuery:
    """Validate a LookupEvents request body, as the service does before looking anything up."""
    attribute = _attribute(params.get("LookupAttributes") or [])
    start, end = _timestamp(params.get("StartTime")), _timestamp(params.get("EndTime"))
    if start is not None and end is not None and start > end:
        raise InvalidTimeRangeException()
    category = params.get("EventCategory")
    if category is not None and category != "insight":
        raise InvalidEventCategoryException()
    max_results = params.get("MaxResults", MAX_RESULTS)
    if not isinstance(max_results, int) or not 1 <= max_results <= MAX_RESULTS:
        raise InvalidMaxResultsException()
    fingerprint = _fingerprint(params)
    token = params.get("NextToken")
    return LookupQuery(
        attribute=attribute,
        start_time=start,
        end_time=end,
        insights=category == "insight",
        max_results=max_results,
        after=_read_token(token, fingerprint) if token is not None else None,
        fingerprint=fingerprint,
    )


def _attribute(attributes: list[Any]) -> tuple[str, str] | None:
    if len(attributes) > 1:
        raise InvalidLookupAttributesException("only one lookup attribute is allowed")
    if not attributes:
        return None
    key, value = attributes[0].get("AttributeKey"), attributes[0].get("AttributeValue")
    if key not in ATTRIBUTE_KEYS:
        raise InvalidLookupAttributesException(f"unknown attribute key {key!r}")
    if not isinstance(value, str) or not 1 <= len(value) <= 2000:
        raise InvalidLookupAttributesException("the attribute value must be 1-2000 characters")
    return key, value


def _timestamp(value: Any) -> float | None:
    """A JSON-protocol timestamp: epoch seconds (botocore's form) or ISO 8601."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise InvalidTimeRangeException() from None


def _fingerprint(params: dict[str, Any]) -> str:
    """What a NextToken must be used with again (its page size may change)."""
    same = {k: params.get(k) for k in ("LookupAttributes", "StartTime", "EndTime", "EventCategory")}
    return hashlib.sha256(json.dumps(same, sort_keys=True).encode()).hexdigest()[:24]


def _make_token(fingerprint: str, last: StoredEvent) -> str:
    payload = {"q": fingerprint, "t": last.event.event_time, "s": last.sequence}
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def _read_token(token: Any, fingerprint: str) -> tuple[int, int]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        if payload["q"] == fingerprint:
            return int(payload["t"]), int(payload["s"])
    except (ValueError, KeyError, TypeError):
        pass
    raise InvalidNextTokenException()


def _matches(stored: StoredEvent, query: LookupQuery) -> bool:
    event = stored.event
    if query.start_time is not None and event.event_time < query.start_time:
        return False
    if query.end_time is not None and event.event_time > query.end_time:
        return False
    if query.after is not None and (event.event_time, stored.sequence) >= query.after:
        return False
    if query.attribute is None:
        return True
    key, value = query.attribute
    attributes: dict[str, str | None] = {
        "EventId": event.event_id,
        "EventName": event.event_name,
        "ReadOnly": _read_only(event.read_only),
        "Username": event.username,
        "EventSource": event.event_source,
        "AccessKeyId": event.access_key_id,
    }
    return attributes.get(key) == value  # ResourceType/ResourceName: no resources


def lookup_events(arrived: list[StoredEvent], query: LookupQuery) -> dict[str, Any]:
    """The LookupEvents response over ``arrived`` (newest first), as its JSON body."""
    selected = [] if query.insights else [e for e in arrived if _matches(e, query)]
    page = selected[: query.max_results]
    response: dict[str, Any] = {"Events": [_event(stored) for stored in page]}
    if len(selected) > len(page):
        response["NextToken"] = _make_token(query.fingerprint, page[-1])
    return response


def _event(stored: StoredEvent) -> dict[str, Any]:
    """One ``Event`` (CloudTrail API Reference, API_Event)."""
    event = stored.event
    rendered: dict[str, Any] = {
        "EventId": event.event_id,
        "EventName": event.event_name,
        "ReadOnly": _read_only(event.read_only),
        "EventTime": event.event_time,
        "EventSource": event.event_source,
        "Resources": [],
        "CloudTrailEvent": json.dumps(event.record),
    }
    # A service event (CreateAccountResult) has no requester, hence neither.
    if event.username is not None:
        rendered["Username"] = event.username
    if event.access_key_id is not None:
        rendered["AccessKeyId"] = event.access_key_id
    return rendered


def _read_only(read_only: bool) -> str:
    """LookupEvents answers and matches ReadOnly as the strings "true" and "false"."""
    return "true" if read_only else "false"
