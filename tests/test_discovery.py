"""The instance is discovered when not pinned, and ambiguity is refused, never guessed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.ssoadmin.models import Instance, ssoadmin_backends

from connector.connection import connect
from connector.errors import AmbiguousInstanceError, InstanceNotFoundError
from connector.readers.instance import discover_instance
from connector.simulator import SimulatedAws, simulated_aws
from tests.simulation import simulator_settings

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture
def sim() -> Iterator[SimulatedAws]:
    with simulated_aws() as simulated:
        yield simulated


def test_the_only_instance_is_discovered(sim: SimulatedAws, tmp_path: Path) -> None:
    settings = simulator_settings(f"sqlite:///{tmp_path}/s.sqlite3")
    instance = discover_instance(connect(settings), settings)
    assert (instance.instance_arn, instance.identity_store_id) == (
        sim.instance_arn,
        sim.identity_store_id,
    )


def test_several_instances_must_be_pinned_and_are_all_named(
    sim: SimulatedAws, tmp_path: Path
) -> None:
    extra = Instance(ACCOUNT, REGION)
    ssoadmin_backends[ACCOUNT][REGION].instances.append(extra)
    settings = simulator_settings(f"sqlite:///{tmp_path}/s.sqlite3")
    with pytest.raises(AmbiguousInstanceError) as caught:
        discover_instance(connect(settings), settings)
    message = str(caught.value)
    assert "set IDCC_INSTANCE_ARN" in message
    assert sim.instance_arn in message and extra.instance_arn in message

    pinned = simulator_settings(f"sqlite:///{tmp_path}/s.sqlite3", instance_arn=extra.instance_arn)
    found = discover_instance(connect(pinned), pinned)
    assert found.identity_store_id == extra.identity_store_id


def test_a_pinned_instance_that_does_not_exist_is_reported(
    sim: SimulatedAws, tmp_path: Path
) -> None:
    missing = "arn:aws:sso:::instance/ssoins-0000000000000000"
    settings = simulator_settings(f"sqlite:///{tmp_path}/s.sqlite3", instance_arn=missing)
    with pytest.raises(
        InstanceNotFoundError, match=r"ssoins-0000000000000000.*visible: arn:aws:sso"
    ):
        discover_instance(connect(settings), settings)


def test_no_instance_at_all_points_at_the_region(sim: SimulatedAws, tmp_path: Path) -> None:
    ssoadmin_backends[ACCOUNT][REGION].instances.clear()
    settings = simulator_settings(f"sqlite:///{tmp_path}/s.sqlite3")
    with pytest.raises(InstanceNotFoundError, match="IDCC_REGION"):
        discover_instance(connect(settings), settings)


def test_fully_pinned_instance_costs_no_call(sim: SimulatedAws, tmp_path: Path) -> None:
    settings = simulator_settings(
        f"sqlite:///{tmp_path}/s.sqlite3",
        instance_arn=sim.instance_arn,
        identity_store_id=sim.identity_store_id,
    )
    aws = connect(settings)
    discover_instance(aws, settings)
    assert aws.stats.total_calls == 0
