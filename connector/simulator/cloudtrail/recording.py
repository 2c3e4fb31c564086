"""The dispatch layer that records a CloudTrail event for each successful write served.

AWS records a management event for every API call of IAM Identity Center, the
Identity Store and Organizations (record.py says which the simulator records).
This layer wraps moto's dispatch (dispatch.py), which the in-process mock and
the threaded server both go through, so a write is recorded however it reached
the simulator. It runs outside throttling: a throttled request raises before
moto answers it and is not recorded; an answer with an error status is not
recorded either. The event repeats the answer's ``x-amzn-RequestId`` as its
``requestID``, so a client can tell its own calls' events from others'.

When a call's background work ends with a service event of its own
(Organizations' CreateAccountResult and CloseAccountResult: service_events.py),
that is recorded too.

Before each request it delivers the EventBridge events that are due (courier.py),
so a test on a ManualClock sees, at its next request, what is due by then.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.cloudtrail.models import cloudtrail_backends
from moto.core.responses import BaseResponse

from .. import dispatch
from ..behaviour import behaviour
from .courier import courier
from .eventbridge import envelope, put_on_default_bus
from .models import CorrectedCloudTrailBackend
from .principals import caller
from .record import RecordedEvent, ServedCall, build_event, is_recorded
from .service_events import service_event


def _record(response: BaseResponse, call_next: Callable[[], Any]) -> Any:
    courier().deliver_due()
    answer = call_next()
    call = _served_call(response, answer)
    if call is not None:
        record_call(call)
        result = service_event(call)
        if result is not None:
            record_event(result)
    return answer


def _served_call(response: BaseResponse, answer: Any) -> ServedCall | None:
    """The call to record, or None: not a write of a recorded service, or not a success."""
    service = str(response.service_name)
    operation = _operation(response)
    if operation is None or not is_recorded(service, operation):
        return None
    if not isinstance(answer, tuple) or len(answer) != 3:
        return None
    status, headers, body = answer
    if not 200 <= int(status) < 300:
        return None
    return ServedCall(
        service=service,
        operation=operation,
        account_id=response.current_account,
        region=response.region,
        access_key_id=response.get_access_key(),
        user_agent=str(response.headers.get("User-Agent", "")),
        request=_json(response.body),
        response=_json(body),
        request_id=str(headers.get("x-amzn-requestid", "")),
        wall_time=behaviour().wall_time(),
    )


def _operation(response: BaseResponse) -> str | None:
    """The operation called: named by X-Amz-Target in the JSON protocol, by the method
    and path in Account Management's REST-JSON (PutAccountName is POST /putAccountName)."""
    target = response.headers.get("X-Amz-Target")
    if target:
        return str(target).rsplit(".", 1)[-1]
    if str(response.service_name) == "account":
        return str(response._get_action())
    return None


def _json(body: Any) -> dict[str, Any]:
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    if not body:
        return {}
    parsed = json.loads(body)
    return parsed if isinstance(parsed, dict) else {}


def record_call(call: ServedCall) -> RecordedEvent:
    """Record the event of ``call`` and schedule its EventBridge deliveries."""
    event = build_event(call, caller(call.access_key_id), behaviour().cloudtrail_shape)
    return record_event(event)


def record_event(event: RecordedEvent) -> RecordedEvent:
    """Add ``event`` to its account and region's history and schedule its EventBridge
    deliveries, as ``behaviour().cloudtrail_delivery`` says."""
    settings = behaviour()
    backend = cloudtrail_backends[event.account_id][event.region]
    assert isinstance(backend, CorrectedCloudTrailBackend)
    arrivals = backend.history.add(event, settings.cloudtrail_delivery, settings.now())
    message = envelope(event)
    for due in arrivals.eventbridge:
        courier().schedule(
            due,
            backend.history,
            lambda: put_on_default_bus(event.account_id, event.region, message),
        )
    return event


def install() -> None:
    """Idempotent: record the writes of every request moto serves."""
    dispatch.install("cloudtrail", _record)
