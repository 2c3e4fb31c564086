"""CloudTrail for the simulated Identity Center: recorded writes, LookupEvents, EventBridge.

Every successful write the simulator serves for sso-admin, identitystore and
Organizations is recorded as a CloudTrail management event (record.py), made by
the principal of its access key (principals.py), delivered after a delay
(``behaviour().cloudtrail_delivery``) to the account and region's event history,
which LookupEvents reads (lookup.py), and to the default EventBridge bus, whose
rules send it on through moto (eventbridge.py, courier.py). See docs/simulator.md.

Typical use in a test::

    register_principal(console_administrator("AKIAALICE00000000001"))
    behaviour().update(cloudtrail_delivery=EventDelivery(delay_seconds=5, jitter_seconds=10))
    queue = create_change_queue(events_client, sqs_client)
"""

from __future__ import annotations

from moto.cloudtrail.models import cloudtrail_backends

from ..behaviour import EventDelivery
from ..patching import install_backend
from . import recording
from .change_queue import ChangeQueue, change_event_pattern, create_change_queue
from .courier import courier
from .elements import HIDDEN
from .eventbridge import DETAIL_TYPE, SERVICE_EVENT_DETAIL_TYPE
from .models import CorrectedCloudTrailBackend
from .principals import (
    IdentityCenterUser,
    Principal,
    RoleSession,
    console_administrator,
    register_principal,
)

__all__ = [
    "DETAIL_TYPE",
    "HIDDEN",
    "SERVICE_EVENT_DETAIL_TYPE",
    "ChangeQueue",
    "CorrectedCloudTrailBackend",
    "EventDelivery",
    "IdentityCenterUser",
    "Principal",
    "RoleSession",
    "change_event_pattern",
    "console_administrator",
    "create_change_queue",
    "deliver_due_events",
    "install",
    "register_principal",
]


def deliver_due_events() -> int:
    """Put on EventBridge every event due by ``behaviour().now()``; returns how many.

    Any request to the simulator does this first; call it to deliver without one.
    """
    return courier().deliver_due()


def install() -> None:
    """Idempotent: the extended CloudTrail backend, and the recording layer of the dispatch."""
    install_backend(cloudtrail_backends, CorrectedCloudTrailBackend)
    recording.install()
