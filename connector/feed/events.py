"""A CloudTrail record, as the change feed reads it.

CloudTrail record contents (CloudTrail User Guide, "CloudTrail record
contents"): the feed needs what was called (eventSource, eventName), when
(eventTime), its id (eventID, to drop duplicates), AWS's request id (requestID,
to recognise this connector's own writes), who made it (userIdentity), and the
request and response elements that name the object. Both sources carry the
same record: LookupEvents as the `CloudTrailEvent` string of each event, an
EventBridge rule as the `detail` of "AWS API Call via CloudTrail" and "AWS
Service Event via CloudTrail" events. Unknown fields are ignored; a record
without the fields above is malformed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connector.errors import ConnectorError

CLOUDTRAIL_DETAIL_TYPES = frozenset(
    {"AWS API Call via CloudTrail", "AWS Service Event via CloudTrail"}
)


class MalformedEvent(ConnectorError):
    """A message or record that is not a CloudTrail event the feed can read."""


@dataclass(frozen=True)
class Actor:
    """Who made a change, as CloudTrail's userIdentity names them."""

    kind: str  # AssumedRole | IAMUser | Root | IdentityCenterUser | AWSService | ...
    name: str
    arn: str | None = None
    user_id: str | None = None  # an Identity Center user's id (`onBehalfOf.userId`)


@dataclass(frozen=True)
class ChangeEvent:
    event_id: str
    time: datetime
    source: str  # eventSource, e.g. "sso.amazonaws.com"
    name: str  # eventName
    request_id: str | None
    actor: Actor
    request: Mapping[str, Any]
    response: Mapping[str, Any]
    details: Mapping[str, Any]  # serviceEventDetails of an AwsServiceEvent
    failed: bool  # errorCode present: AWS changed nothing
    read_only: bool
    account: str | None = None  # recipientAccountId: whose trail recorded it


def from_lookup(item: Mapping[str, Any]) -> ChangeEvent:
    """An event of a LookupEvents page."""
    text = item.get("CloudTrailEvent")
    if not isinstance(text, str):
        raise MalformedEvent("a LookupEvents event without its CloudTrailEvent")
    return parse_record(_json(text))


def from_eventbridge(body: str) -> ChangeEvent:
    """The CloudTrail record an EventBridge rule delivered to SQS."""
    envelope = _json(body)
    if envelope.get("detail-type") not in CLOUDTRAIL_DETAIL_TYPES:
        raise MalformedEvent(f"not a CloudTrail event: detail-type {envelope.get('detail-type')!r}")
    return parse_record(envelope.get("detail"))


def parse_record(record: Any) -> ChangeEvent:
    if not isinstance(record, Mapping):
        raise MalformedEvent("a CloudTrail record must be a JSON object")
    try:
        event_id = _text(record, "eventID")
        source = _text(record, "eventSource")
        name = _text(record, "eventName")
        time = datetime.strptime(_text(record, "eventTime"), "%Y-%m-%dT%H:%M:%SZ")
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedEvent(f"a CloudTrail record without a readable {exc}") from None
    return ChangeEvent(
        event_id=event_id,
        time=time.replace(tzinfo=UTC),
        source=source,
        name=name,
        request_id=record.get("requestID") if isinstance(record.get("requestID"), str) else None,
        actor=actor_of(record.get("userIdentity")),
        request=_mapping(record.get("requestParameters")),
        response=_mapping(record.get("responseElements")),
        details=_mapping(record.get("serviceEventDetails")),
        failed=bool(record.get("errorCode")),
        read_only=record.get("readOnly") in (True, "true"),
        account=record.get("recipientAccountId")
        if isinstance(record.get("recipientAccountId"), str)
        else None,
    )


def actor_of(identity: Any) -> Actor:
    """The person or process behind a call.

    An assumed role is named by its session ("AWSReservedSSO_Admin_.../alice");
    since July 2025 an Identity Center user acting in the access portal is named
    by `onBehalfOf.userId` (type IdentityCenterUser; "Unknown" before), no longer
    by userName (AWS Security Blog, "Modifications to AWS CloudTrail event data
    of IAM Identity Center").
    """
    if not isinstance(identity, Mapping):
        return Actor("Unknown", "unknown")
    kind = str(identity.get("type") or "Unknown")
    arn = identity.get("arn") if isinstance(identity.get("arn"), str) else None
    behalf = identity.get("onBehalfOf")
    if isinstance(behalf, Mapping) and isinstance(behalf.get("userId"), str) and behalf["userId"]:
        user_id = behalf["userId"]
        return Actor(kind, f"Identity Center user {user_id}", arn, user_id)
    if kind == "AssumedRole" and arn and "/" in arn:
        return Actor(kind, arn.split("/", 1)[1], arn)
    if kind == "AWSService":
        return Actor(kind, str(identity.get("invokedBy") or "AWS"), arn)
    name = identity.get("userName") or identity.get("principalId") or arn or kind
    return Actor(kind, str(name), arn)


def _json(text: str) -> Mapping[str, Any]:
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise MalformedEvent(f"not JSON: {exc}") from None
    if not isinstance(found, Mapping):
        raise MalformedEvent("not a JSON object")
    return found


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record[key]
    if not isinstance(value, str) or not value:
        raise TypeError(key)
    return value


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
