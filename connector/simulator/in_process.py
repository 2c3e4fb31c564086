"""The simulated Identity Center inside this process, for tests and scripts.

``simulated_aws()`` starts moto's in-process mock with the corrections applied and
the behaviour at its defaults, and hands back boto3 clients plus the ids every
caller needs first (the instance ARN and its identity store). Leaving the block
discards everything created in it.

The clients are made once per region and reused by later blocks: creating an
sso-admin client costs about 0.1 s, more than most tests, and moto intercepts
requests of every client made after it was imported, whichever mock is active.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws

from .behaviour import reset_behaviour
from .corrections import apply_corrections


@dataclass(frozen=True)
class SimulatedAws:
    """boto3 clients on the simulator, and the one Identity Center instance's ids."""

    sso_admin: Any
    identity_store: Any
    organizations: Any
    instance_arn: str
    identity_store_id: str
    region: str


_clients: dict[str, tuple[Any, Any, Any]] = {}


def _clients_for(region: str) -> tuple[Any, Any, Any]:
    """sso-admin, identitystore and organizations clients; call inside the mock,
    whose fake credentials they keep."""
    if region not in _clients:
        _clients[region] = (
            boto3.client("sso-admin", region_name=region),
            boto3.client("identitystore", region_name=region),
            boto3.client("organizations", region_name=region),
        )
    return _clients[region]


@contextmanager
def simulated_aws(region: str = "us-east-1") -> Iterator[SimulatedAws]:
    reset_behaviour()
    try:
        with mock_aws():
            apply_corrections()
            sso_admin, identity_store, organizations = _clients_for(region)
            instance = sso_admin.list_instances()["Instances"][0]
            yield SimulatedAws(
                sso_admin=sso_admin,
                identity_store=identity_store,
                organizations=organizations,
                instance_arn=instance["InstanceArn"],
                identity_store_id=instance["IdentityStoreId"],
                region=region,
            )
    finally:
        reset_behaviour()
