"""CloudTrail for the simulated Identity Center: recorded writes and LookupEvents.

Every successful write the simulator serves for sso-admin, identitystore and
Organizations is recorded as a CloudTrail management event (record.py), made by
the principal of its access key (principals.py), delivered after a delay
(``behaviour().cloudtrail_delivery``) to the account and region's event history,
which LookupEvents reads (lookup.py).

Typical use in a test::

    register_principal(console_administrator("AKIAALICE00000000001"))
    behaviour().update(cloudtrail_delivery=EventDelivery(delay_seconds=5, jitter_seconds=10))
"""

from __future__ import annotations

from moto.cloudtrail.models import cloudtrail_backends

from ..behaviour import EventDelivery
from ..patching import install_backend
from . import recording
from .elements import HIDDEN
from .models import CorrectedCloudTrailBackend
from .principals import (
    IdentityCenterUser,
    Principal,
    RoleSession,
    console_administrator,
    register_principal,
)

__all__ = [
    "HIDDEN",
    "CorrectedCloudTrailBackend",
    "EventDelivery",
    "IdentityCenterUser",
    "Principal",
    "RoleSession",
    "console_administrator",
    "install",
    "register_principal",
]


def install() -> None:
    """Idempotent: the extended CloudTrail backend, and the recording layer of the dispatch."""
    install_backend(cloudtrail_backends, CorrectedCloudTrailBackend)
    recording.install()
