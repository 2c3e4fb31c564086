"""Sign-in events: an Identity Center user got credentials for an account and permission set.

When a user opens an account's role in the AWS access portal or the AWS CLI
asks for credentials, the portal's GetRoleCredentials is called (IAM Identity
Center Portal API Reference, GetRoleCredentials: ``roleName``, "the friendly
name of the role that is assigned to the user", which ListAccountRoles lists as
the permission set's name, and ``accountId``). IAM Identity Center records it
under ``sso.amazonaws.com`` (IAM Identity Center User Guide, "Logging IAM
Identity Center API calls with AWS CloudTrail": portal calls are logged with
the others), made by the user: ``userIdentity`` of type ``IdentityCenterUser``
naming the user by ``onBehalfOf.userId`` and ``identityStoreArn`` since 14 July
2025, ``Unknown`` with ``userName`` before (principals.py). It is a read: it
carries ``readOnly: true`` and no response elements (the credentials are never
logged), and it reaches only the EventBridge rules enabled for all management
events (eventbridge.py).

moto has no portal API, so this is an extension: the seed records the
planned sign-ins (`record_seeded`, with their past times, already in the event
history, never on EventBridge: they happened before the test), and a test makes
one now (`sign_in_now`), delivered as every recorded event is.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.cloudtrail.models import cloudtrail_backends

from ..behaviour import CloudTrailShape, behaviour
from .models import CorrectedCloudTrailBackend
from .principals import IdentityCenterUser, user_identity
from .record import EVENT_VERSION, RecordedEvent, format_event_time
from .recording import record_event

SIGN_IN_EVENT = "GetRoleCredentials"
EVENT_SOURCE = "sso.amazonaws.com"
# What the AWS CLI v2 sends; the portal's browser calls show the browser's.
CLI_USER_AGENT = "aws-cli/2.22.0 md/awscrt#0.23.0 ua/2.0 os/linux md/arch#x86_64 sso"


def sign_in_event(
    user: IdentityCenterUser,
    account_id: str,
    role_name: str,
    wall_time: float,
    *,
    region: str,
    instance_account_id: str,
    shape: CloudTrailShape,
) -> RecordedEvent:
    """The event of ``user`` getting credentials for ``role_name`` in ``account_id``,
    recorded in the event history of Identity Center's account and region."""
    event_time = format_event_time(wall_time)
    event_id = str(uuid.uuid4())
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": user_identity(user, instance_account_id, event_time, shape),
        "eventTime": event_time,
        "eventSource": EVENT_SOURCE,
        "eventName": SIGN_IN_EVENT,
        "awsRegion": region,
        "sourceIPAddress": user.source_ip_address,
        "userAgent": user.user_agent or CLI_USER_AGENT,
        "requestParameters": {"accountId": account_id, "roleName": role_name},
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "eventID": event_id,
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": instance_account_id,
        "eventCategory": "Management",
    }
    return RecordedEvent(
        record=record,
        event_id=event_id,
        event_name=SIGN_IN_EVENT,
        event_source=EVENT_SOURCE,
        event_time=int(wall_time),
        region=region,
        account_id=instance_account_id,
        username=user.user_name if shape == "before-2025-07-14" else user.user_id,
        access_key_id=None,
        read_only=True,
    )


def record_seeded(events: list[RecordedEvent]) -> None:
    """Put past sign-ins in their event history as already arrived (none on EventBridge)."""
    now = behaviour().now()
    for event in sorted(events, key=lambda e: e.event_time):
        backend = cloudtrail_backends[event.account_id][event.region]
        assert isinstance(backend, CorrectedCloudTrailBackend)
        backend.history.add_arrived(event, now)


def sign_in_now(
    user_id: str,
    user_name: str,
    identity_store_arn: str,
    account_id: str,
    role_name: str,
    *,
    region: str,
    instance_account_id: str,
) -> RecordedEvent:
    """A sign-in made now, delivered to LookupEvents and EventBridge as
    ``behaviour().cloudtrail_delivery`` says."""
    settings = behaviour()
    user = IdentityCenterUser("", user_id, user_name, identity_store_arn)
    event = sign_in_event(
        user,
        account_id,
        role_name,
        settings.wall_time(),
        region=region,
        instance_account_id=instance_account_id,
        shape=settings.cloudtrail_shape,
    )
    return record_event(event)
