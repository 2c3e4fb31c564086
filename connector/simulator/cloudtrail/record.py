"""One CloudTrail management event for one successful write, in AWS's record shape.

The fields and their meaning follow the CloudTrail User Guide, "CloudTrail
record contents for management, data, and network activity events"
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html;
current ``eventVersion`` 1.11). Which calls are recorded: IAM Identity Center
logs its API calls under ``sso.amazonaws.com`` and the Identity Store's under
``identitystore.amazonaws.com`` (IAM Identity Center User Guide, "Logging IAM
Identity Center API calls with AWS CloudTrail"); Organizations under
``organizations.amazonaws.com``, and, as a global service, "only in the US East
(N. Virginia) Region" (Organizations User Guide, "Logging API calls with AWS
CloudTrail for AWS Organizations"); the Account Management API (PutAccountName)
under ``account.amazonaws.com``, in us-east-1 too. Read-only calls (List, Describe, Get, Is)
are management read events, which the simulator does not record: a change feed
has no use for them.
Failed calls are not recorded either (AWS records them with ``errorCode``; a
change feed skips them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..behaviour import CloudTrailShape
from .elements import request_parameters, response_elements
from .principals import Principal, lookup_access_key, lookup_username, user_identity

EVENT_VERSION = "1.11"

# moto's service name -> CloudTrail eventSource.
EVENT_SOURCES = {
    "sso-admin": "sso.amazonaws.com",
    "identitystore": "identitystore.amazonaws.com",
    "organizations": "organizations.amazonaws.com",
    "account": "account.amazonaws.com",
}
# Services whose events are logged in one region, whatever region was called.
GLOBAL_SERVICE_REGIONS = {"organizations": "us-east-1", "account": "us-east-1"}
READ_ONLY_PREFIXES = ("List", "Describe", "Get", "Is")


def is_recorded(service: str, operation: str) -> bool:
    """Whether a successful call of this operation writes an event."""
    return service in EVENT_SOURCES and not operation.startswith(READ_ONLY_PREFIXES)


def event_region(service: str, region: str) -> str:
    """The region whose event history holds the event (us-east-1 for Organizations)."""
    return GLOBAL_SERVICE_REGIONS.get(service, region)


@dataclass(frozen=True)
class ServedCall:
    """What the simulator knows of a successful call once it has answered it.

    ``request``/``response``: the JSON bodies as sent and answered.
    ``request_id``: the ``x-amzn-RequestId`` of the answer (botocore's
    ``ResponseMetadata.RequestId``), which the event repeats as ``requestID``.
    ``wall_time``: when the call completed, in seconds since the epoch.
    """

    service: str
    operation: str
    account_id: str
    region: str
    access_key_id: str
    user_agent: str
    request: dict[str, Any]
    response: dict[str, Any]
    request_id: str
    wall_time: float


@dataclass(frozen=True)
class RecordedEvent:
    """An event's record, and the fields LookupEvents selects and answers with."""

    record: dict[str, Any]
    event_id: str
    event_name: str
    event_source: str
    event_time: int  # whole seconds since the epoch, as eventTime reads
    region: str
    account_id: str
    username: str | None  # None: a service event, which no requester made
    access_key_id: str | None
    read_only: bool = False  # a sign-in (sign_ins.py); the writes recorded here are not


def format_event_time(wall_time: float) -> str:
    """``eventTime``: UTC, whole seconds, ``2026-12-06T13:00:00Z``."""
    return datetime.fromtimestamp(int(wall_time), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_event(call: ServedCall, principal: Principal, shape: CloudTrailShape) -> RecordedEvent:
    """The management event AWS writes for ``call``, made by ``principal``."""
    event_time = format_event_time(call.wall_time)
    region = event_region(call.service, call.region)
    event_id = str(uuid.uuid4())
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": user_identity(principal, call.account_id, event_time, shape),
        "eventTime": event_time,
        "eventSource": EVENT_SOURCES[call.service],
        "eventName": call.operation,
        "awsRegion": region,
        "sourceIPAddress": principal.source_ip_address,
        "userAgent": principal.user_agent or call.user_agent,
        "requestParameters": request_parameters(call.service, call.operation, call.request, shape),
        "responseElements": response_elements(call.service, call.operation, call.response, shape),
        "requestID": call.request_id,
        "eventID": event_id,
        "readOnly": False,
        "resources": [],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": call.account_id,
        "eventCategory": "Management",
    }
    if getattr(principal, "from_console", False):
        record["sessionCredentialFromConsole"] = "true"
    return RecordedEvent(
        record=record,
        event_id=event_id,
        event_name=call.operation,
        event_source=EVENT_SOURCES[call.service],
        event_time=int(call.wall_time),
        region=region,
        account_id=call.account_id,
        username=lookup_username(principal, shape),
        access_key_id=lookup_access_key(principal),
    )
