"""A recorded event on the default EventBridge bus, as "AWS API Call via CloudTrail".

AWS services send the CloudTrail events of their API calls to the default event
bus of the account and region they were recorded in, with ``detail-type`` "AWS
API Call via CloudTrail" ("AWS Service Event via CloudTrail" for the events a
service records of its own work, such as CreateAccountResult), ``source``
"aws.<service>" (``aws.sso``, ``aws.identitystore``, ``aws.organizations``)
and the CloudTrail record as ``detail`` (EventBridge User Guide, "Events from
AWS services" and "AWS service events delivered via AWS CloudTrail"; EventBridge Events Reference,
events-ref-sso, events-ref-identitystore, events-ref-organizations). Rules
match them by pattern and send them to their targets, here through moto's
events backend, whose rules deliver to SQS, so a rule with an SQS target (and a
queue with a redrive policy to a dead-letter queue) receives them as it would
in AWS.

Corrections to moto's path (which ``put_events`` would take): a rule whose
state is ``DISABLED`` receives nothing (moto sends to every rule); a read-only
event (a sign-in's GetRoleCredentials) reaches only a rule whose state is
``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`` (EventBridge User Guide,
"Receiving read-only management events from AWS services"); the message
a target without an input transformer receives is the whole event, including
``account`` (moto's default template leaves it out); and a duplicate delivery
carries the same ``id`` as the first (moto's ``put_events`` draws a new one).
``resources`` is empty, as in AWS's CloudTrail-delivered events of these
services, whose records list no resources.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any, cast

from moto.events.models import events_backends
from moto.events.utils import EventMessageType

from .record import RecordedEvent

DETAIL_TYPE = "AWS API Call via CloudTrail"
# Events a service records of its own work, such as Organizations' CreateAccountResult.
SERVICE_EVENT_DETAIL_TYPE = "AWS Service Event via CloudTrail"


def event_bus_source(event_source: str) -> str:
    """``sso.amazonaws.com`` -> ``aws.sso``."""
    return "aws." + event_source.split(".", 1)[0]


def envelope(event: RecordedEvent) -> dict[str, Any]:
    """The EventBridge event for ``event`` (``time`` in epoch seconds: moto formats it)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": (
            SERVICE_EVENT_DETAIL_TYPE
            if event.record.get("eventType") == "AwsServiceEvent"
            else DETAIL_TYPE
        ),
        "source": event_bus_source(event.event_source),
        "account": event.account_id,
        "time": float(event.event_time),
        "region": event.region,
        "resources": [],
        "detail": event.record,
    }


ALL_MANAGEMENT_EVENTS = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"


def put_on_default_bus(account_id: str, region: str, message: dict[str, Any]) -> None:
    """Send ``message`` to the targets of each enabled rule it matches on the default bus
    (a read-only event: of each rule enabled for all management events)."""
    bus = events_backends[account_id][region].event_buses.get("default")
    if bus is None:
        return
    read_only = message["detail"].get("readOnly") is True
    for rule in list(bus.rules.values()):
        if rule.state == "DISABLED" or (read_only and rule.state != ALL_MANAGEMENT_EVENTS):
            continue
        transformed = any("InputTransformer" in target for target in rule.targets)
        sent = copy.deepcopy(message)
        if transformed:  # moto's template parser reads it
            sent["ingestion-time"] = sent["time"]
        rule.send_to_targets(cast(EventMessageType, sent), transform_input=transformed)
