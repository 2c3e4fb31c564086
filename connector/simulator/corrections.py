"""Make moto's IAM Identity Center, Identity Store and Organizations behave like AWS.

``apply_corrections`` may be called any number of times, before or inside
``mock_aws``, and before starting a ``ThreadedMotoServer`` in the same process:
it swaps each service's backend class for the corrected subclass (see
patching.py), which both the in-process mock and the server use.
"""

from __future__ import annotations

import threading

from . import account, auth_errors, cloudtrail, identitystore, organizations, ssoadmin, throttling

_lock = threading.Lock()


def apply_corrections() -> None:
    """Install the corrected sso-admin, identitystore and organizations backends,
    Account Management's PutAccountName, CloudTrail's event history and LookupEvents,
    and the dispatch layers
    (throttling, CloudTrail recording; dispatch.py orders them)."""
    with _lock:
        auth_errors.install()
        throttling.install()
        cloudtrail.install()
        ssoadmin.install()
        identitystore.install()
        organizations.install()
        account.install()
