"""Third-party SCIM clients against `idc-connector demo`, as a new user would try it.

The demo is the real command in a process of its own with its own simulator;
scim2-client (python-scim's SCIM client) walks a leaver's user lifecycle
(create, read, replace, disable, enable, delete) and scim2-tester (built on it)
runs its user checks, over the network with the write token the demo prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import PatchOp, PatchOperation
from scim2_tester import check_server
from scim2_tester.utils import Status

from tests.serving import ServeProcess
from tests.test_demo import serving_demo
from tests.test_scim_tester import EXPECTED_REFUSALS, failures


def printed(demo: ServeProcess, label: str) -> str:
    for line in demo.log_text().splitlines():
        if line.startswith(f"{label}: "):
            return line.removeprefix(f"{label}: ").strip()
    raise AssertionError(f"the demo printed no {label!r}:\n{demo.log_text()}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    with serving_demo(tmp_path_factory.mktemp("demo")) as running:
        yield running


@pytest.fixture(scope="module")
def writer(demo: ServeProcess) -> Iterator[SyncSCIMClient]:
    http = httpx2.Client(
        base_url=f"{demo.url}/scim/v2",
        headers={"Authorization": f"Bearer {printed(demo, 'write token')}"},
        timeout=60,
    )
    try:
        client = SyncSCIMClient(http)
        client.discover()
        yield client
    finally:
        http.close()


def test_a_leaver_is_created_disabled_enabled_and_deleted_through_the_demo(
    writer: SyncSCIMClient,
) -> None:
    user_model: Any = writer.get_resource_model("User")
    created = writer.create(
        user_model(
            user_name="leaver.probe",
            display_name="Leaver Probe",
            name={"given_name": "Leaver", "family_name": "Probe"},
            emails=[{"value": "leaver.probe@example.com", "type": "work", "primary": True}],
        )
    )
    assert created.id and created.active is True

    assert writer.query(user_model, created.id).user_name == "leaver.probe"

    created.display_name = "Leaver Probe (moved)"
    replaced = writer.replace(created)
    assert replaced.display_name == "Leaver Probe (moved)"

    for active in (False, True):
        writer.modify(
            user_model,
            created.id,
            PatchOp[user_model](
                operations=[PatchOperation(op="replace", path="active", value=active)]
            ),
        )
        assert writer.query(user_model, created.id).active is active

    writer.delete(user_model, created.id)
    gone = writer.query(user_model, created.id, raise_scim_errors=False)
    assert getattr(gone, "status", None) == 404


@pytest.mark.parametrize("tag", ["crud", "patch"])
def test_scim2_testers_user_checks_pass_against_the_demo(writer: SyncSCIMClient, tag: str) -> None:
    results = check_server(writer, include_tags={tag}, resource_types=["User"])
    assert [r for r in results if r.status == Status.SUCCESS]
    unexpected = [
        f for f in failures(results) if not any(reason in f for reason in EXPECTED_REFUSALS)
    ]
    assert unexpected == [], "\n".join(unexpected)
