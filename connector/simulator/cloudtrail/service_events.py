"""Organizations' service events: CreateAccountResult and CloseAccountResult.

CreateAccount and CloseAccount start background work; when it ends,
Organizations records an ``AwsServiceEvent`` of its own, which EventBridge
delivers as "AWS Service Event via CloudTrail" (Organizations User Guide,
"Logging API calls with AWS CloudTrail for AWS Organizations", its
CreateAccountResult examples; CloseAccountResult as AWS Organizations
customers have published it). A change feed learns of a new or closed
account from these, not from the call, which says only that the work began.

Their shape, as those examples have it: ``userIdentity`` only ``accountId``
and ``invokedBy``; ``sourceIPAddress`` and ``userAgent`` the invoker
("AWS Internal" for CreateAccountResult, "organizations.amazonaws.com" for
CloseAccountResult); ``requestParameters`` and ``responseElements`` null; no
``requestID`` and no ``resources``; ``serviceEventDetails`` holding the
request's status (``createAccountStatus`` with the account's name masked
"****", or ``closeAccountStatus``), timestamps written as in elements.

moto finishes both at once, so the result is recorded with the call, at the
same time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from .elements import cloudtrail_timestamp
from .record import (
    EVENT_SOURCES,
    EVENT_VERSION,
    RecordedEvent,
    ServedCall,
    event_region,
    format_event_time,
)

MASKED = "****"


def _create_account_result(call: ServedCall) -> tuple[str, str, dict[str, Any]] | None:
    status = call.response.get("CreateAccountStatus")
    if not isinstance(status, dict) or status.get("State") == "IN_PROGRESS":
        return None
    details: dict[str, Any] = {
        "id": status.get("Id"),
        "state": status.get("State"),
        "accountName": MASKED,
        "accountId": status.get("AccountId"),
        "failureReason": status.get("FailureReason"),
        "requestedTimestamp": cloudtrail_timestamp(status.get("RequestedTimestamp")),
        "completedTimestamp": cloudtrail_timestamp(status.get("CompletedTimestamp")),
    }
    shown = {key: value for key, value in details.items() if value is not None}
    return "CreateAccountResult", "AWS Internal", {"createAccountStatus": shown}


def _close_account_result(call: ServedCall) -> tuple[str, str, dict[str, Any]] | None:
    when = cloudtrail_timestamp(call.wall_time)
    status = {
        "accountId": call.request.get("AccountId"),
        "state": "SUCCEEDED",
        "requestedTimestamp": when,
        "completedTimestamp": when,
    }
    return "CloseAccountResult", "organizations.amazonaws.com", {"closeAccountStatus": status}


# The calls whose background work ends with a service event: (name, invoker, details).
_RESULTS: dict[tuple[str, str], Callable[[ServedCall], tuple[str, str, dict[str, Any]] | None]] = {
    ("organizations", "CreateAccount"): _create_account_result,
    ("organizations", "CloseAccount"): _close_account_result,
}


def service_event(call: ServedCall) -> RecordedEvent | None:
    """The service event that the end of ``call``'s background work records, if any."""
    result = _RESULTS.get((call.service, call.operation))
    found = result(call) if result is not None else None
    if found is None:
        return None
    name, invoker, details = found
    region = event_region(call.service, call.region)
    source = EVENT_SOURCES[call.service]
    event_id = str(uuid.uuid4())
    record = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": {"accountId": call.account_id, "invokedBy": invoker},
        "eventTime": format_event_time(call.wall_time),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": invoker,
        "userAgent": invoker,
        "requestParameters": None,
        "responseElements": None,
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsServiceEvent",
        "managementEvent": True,
        "recipientAccountId": call.account_id,
        "serviceEventDetails": details,
        "eventCategory": "Management",
    }
    return RecordedEvent(
        record=record,
        event_id=event_id,
        event_name=name,
        event_source=source,
        event_time=int(call.wall_time),
        region=region,
        account_id=call.account_id,
        username=None,
        access_key_id=None,
    )
