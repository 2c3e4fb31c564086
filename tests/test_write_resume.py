"""An operation whose runner stopped is finished by the next runner, from the ledger alone.

A runner whose heartbeat is older than IDCC_WRITE_RESUME_AFTER is taken for
dead: the next runner claims its open operations (`resume_stale`) and ends each
step without asking AWS twice. It follows the AWS request id the ledger holds,
adopts a user AWS already created, and a stalled runner that wakes after the
takeover records nothing more.

In the first test the service is killed while a grant is IN_PROGRESS in AWS:
the simulated Identity Center runs as its own process with assignments that
stay IN_PROGRESS for a few seconds; the first runner is a real Python process
that submits a grant and is killed with SIGKILL once the ledger holds the AWS
request id, so nothing in it gets a chance to record anything more. A second
runner (the test) then resumes the operation from the ledger alone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import sqlalchemy as sa

from connector.config import Settings, settings_to_env
from connector.connection import connect
from connector.provisioning.provisioner import Provisioner
from connector.simulator import Manifest, behaviour
from connector.store import ledger, tables
from connector.store.ledger import OperationRecord
from connector.store.store import Store
from connector.sync import run_sync
from connector.writers.assignments import Grant
from connector.writers.registry import intent_from_json
from connector.writers.users import CreateUser
from scim.demo import start_simulator
from scim.writes.operations import answer_status
from tests.live import (
    Live,
    first_user,
    free_pair,
    grant_op,
    left_by_dead_runner,
    operation_id,
    resumed,
)
from tests.serving import wait_for
from tests.simulation import simulator_settings

# Long enough to kill the first runner while AWS still works on the request,
# short enough to keep the test quick.
ASSIGNMENT_DELAY = 4.0

# The first runner: submit one grant, say which operation it is, then live
# until killed. Settings come from IDCC_* variables, as in the service.
FIRST_RUNNER = """
import json, sys, time
from connector.config import load_settings
from connector.connection import connect
from connector.provisioning.provisioner import Provisioner
from connector.provisioning.submitting import WriteRequest
from connector.writers.registry import intent_from_json
from connector.store.store import Store

settings = load_settings()
grant = intent_from_json(json.loads(sys.argv[1]))
provisioner = Provisioner(Store.open(settings.database_url), settings, lambda: connect(settings))
operation_id, _ = provisioner.submit(
    WriteRequest(
        token_name="iga",
        action="modify",
        resource_type="User",
        resource_id=grant.principal_id,
        intents=(grant,),
        request_hash="0" * 64,
    )
)
print(operation_id, flush=True)
while True:
    time.sleep(60)
"""


@dataclass
class Simulator:
    endpoint: str
    manifest: Manifest

    def sso_admin(self) -> Any:
        return boto3.client(
            "sso-admin",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def holds(self, grant: Grant) -> bool:
        found = self.sso_admin().list_account_assignments(
            InstanceArn=self.manifest.instance_arn,
            AccountId=grant.account_id,
            PermissionSetArn=grant.permission_set_arn,
        )["AccountAssignments"]
        return any(
            a["PrincipalType"] == grant.principal_type and a["PrincipalId"] == grant.principal_id
            for a in found
        )


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[Simulator]:
    manifest = tmp_path / "manifest.json"
    process, endpoint = start_simulator(
        "tiny", manifest, "--port", "0", "--assignment-delay", str(ASSIGNMENT_DELAY)
    )
    try:
        yield Simulator(endpoint, Manifest.load(manifest))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def ungranted(manifest: Manifest) -> Grant:
    """A permission set in an account that the seed gave this user no assignment for."""
    held = manifest.expected_assignments()
    user = sorted(manifest.users.values())[0]
    for account in sorted(manifest.accounts.values()):
        for arn in sorted(manifest.permission_sets.values()):
            if (account, arn, "USER", user) not in held:
                return Grant(
                    account_id=account,
                    permission_set_arn=arn,
                    principal_type="USER",
                    principal_id=user,
                )
    raise AssertionError("the seed assigned the user everything")


def stored_assignment(store: Store, grant: Grant) -> bool:
    """Whether the served snapshot shows the assignment."""
    a = tables.assignments.c
    with store.reading() as connection:
        row = connection.execute(
            sa.select(sa.literal(1))
            .where(a.snapshot_id == store.current_snapshot_id())
            .where(a.account_id == grant.account_id)
            .where(a.permission_set_arn == grant.permission_set_arn)
            .where(a.principal_type == grant.principal_type)
            .where(a.principal_id == grant.principal_id)
        ).first()
    return row is not None


def operation(store: Store, operation_id: str) -> OperationRecord:
    with store.reading() as connection:
        found = ledger.get(connection, operation_id, intent_from_json)
    assert found is not None, operation_id
    return found


def start_first_runner(
    settings: Settings, grant: Grant, log: Path
) -> tuple[subprocess.Popen[str], str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("IDCC_", "AWS_"))}
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", FIRST_RUNNER, json.dumps(grant.to_json())],
            env={**clean, **settings_to_env(settings)},
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert process.stdout is not None
    operation_id = process.stdout.readline().strip()
    assert operation_id, f"the first runner did not submit: {log.read_text()}"
    return process, operation_id


def wait_for_request_id(
    store: Store, operation_id: str, process: subprocess.Popen[str], log: Path
) -> OperationRecord:
    """The operation once its grant was asked of AWS and its request id recorded."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        record = operation(store, operation_id)
        step = record.steps[0]
        if step.aws_request_id is not None and step.status == "in_progress":
            return record
        assert process.poll() is None, f"the first runner died: {log.read_text()}"
        assert not record.finished, record
        time.sleep(0.05)
    raise AssertionError(f"no AWS request id recorded: {operation(store, operation_id)}")


def test_grant_in_progress_when_runner_is_killed_is_finished_by_the_next_runner(
    simulator: Simulator, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    settings = simulator_settings(url, aws_endpoint_url=simulator.endpoint)
    store = Store.open(url)
    run_sync(settings, store, connect(settings))
    grant = ungranted(simulator.manifest)
    assert not simulator.holds(grant)
    assert not stored_assignment(store, grant)

    log = tmp_path / "first-runner.log"
    process, operation_id = start_first_runner(settings, grant, log)
    try:
        requested = wait_for_request_id(store, operation_id, process, log)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL

    # Killed mid-operation: the ledger shows it open, AWS is still working on it.
    request_id = requested.steps[0].aws_request_id
    killed = operation(store, operation_id)
    assert killed.status == "in_progress"
    assert [(s.status, s.aws_request_id) for s in killed.steps] == [("in_progress", request_id)]
    assert not simulator.holds(grant)

    # A runner that waits longer for a heartbeat leaves the fresh operation alone.
    patient = Provisioner(store, settings, lambda: connect(settings))
    try:
        assert patient.resume_stale() == []
    finally:
        patient.close()

    resuming = simulator_settings(url, aws_endpoint_url=simulator.endpoint, write_resume_after=1)
    provisioner = Provisioner(store, resuming, lambda: connect(resuming))
    try:
        # Resumed once the dead runner's last heartbeat is older than 1 s.
        resumed = wait_for(provisioner.resume_stale, timeout=60, what="the operation resumed")
        assert resumed == [operation_id]
        finished = provisioner.wait(operation_id, 120)
        calls = provisioner.aws().stats.calls
    finally:
        provisioner.close()

    assert finished.status == "succeeded", finished
    assert answer_status(finished) == 200
    assert [(s.status, s.aws_request_id) for s in finished.steps] == [("succeeded", request_id)]
    events = [e.status for e in finished.events]
    assert "resumed" in events
    assert events.count("requested") == 1  # one AWS request, recorded before the kill
    # It followed the recorded request instead of asking AWS a second time.
    assert calls["sso-admin:CreateAccountAssignment"] == 0
    assert calls["sso-admin:DescribeAccountAssignmentCreationStatus"] >= 1
    assert simulator.holds(grant)
    assert stored_assignment(store, grant)
    store.close()


def test_a_stalled_runner_whose_operation_was_taken_over_stops_recording(
    live_short_wait: Live, caplog: pytest.LogCaptureFixture
) -> None:
    live = live_short_wait
    behaviour().update(assignment_delay_seconds=ASSIGNMENT_DELAY)
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    accepted = live.patch(f"Users/{user}", grant_op(account, arn))
    assert accepted.status_code == 202
    stalled = operation_id(accepted)
    # The first runner has asked AWS (its request id is in the ledger) and then
    # looks dead: a stall longer than IDCC_WRITE_RESUME_AFTER...
    wait_for(
        lambda: live.operation(stalled).steps[0].aws_request_id,
        timeout=60,
        what="the first runner records its AWS request",
    )
    with live.store.writing() as connection:
        connection.execute(
            tables.write_operations.update()
            .where(tables.write_operations.c.id == stalled)
            .values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=5))
        )
    settings = simulator_settings(str(live.store.engine.url), write_resume_after="1s")
    second = Provisioner(live.store, settings, lambda: connect(settings))
    try:
        assert second.resume_stale() == [stalled]
        assert second.wait(stalled, 120).status == "succeeded"
        # ... so when it wakes it finds the operation taken, and stops.
        wait_for(
            lambda: any(
                r.getMessage() == "write operation taken over by another runner"
                and getattr(r, "operation", None) == stalled
                for r in caplog.records
            ),
            timeout=120,
            what="the stalled runner stops",
        )
        second_creates = second.aws().stats.calls["sso-admin:CreateAccountAssignment"]
    finally:
        second.close()
    # One request to AWS in all, one end recorded per step, nothing by the stalled one.
    record = live.operation(stalled)
    assert live.create_calls() == 1
    assert second_creates == 0
    assert [e.status for e in record.events].count("succeeded") == 2  # the step, the operation
    assert "resumed" in [e.status for e in record.events]
    assert live.holds(account, arn, "USER", user)


def test_a_resumed_user_creation_that_had_reached_aws_adopts_the_user(live_sqlite: Live) -> None:
    live = live_sqlite
    params = {
        "UserName": "crashed.mid.create@example.com",
        "DisplayName": "Crashed Mid Create",
        "Name": {"GivenName": "Crashed", "FamilyName": "Create"},
    }
    # What a process killed right after its CreateUser reached AWS leaves behind:
    # the step in progress in the ledger, and the user in AWS.
    operation_id = "00000000-0000-4000-8000-000000000001"
    left_by_dead_runner(
        live, operation_id, CreateUser(params=params), action="create", resource_id=None
    )
    made = live.aws.identity_store.create_user(IdentityStoreId=live.aws.identity_store_id, **params)
    record, resumer = resumed(live, operation_id)
    assert record.status == "succeeded" and answer_status(record) == 201
    assert record.resource_id == made["UserId"]
    assert resumer.aws().stats.calls["identitystore:CreateUser"] == 0
    served = live.client.get(f"/scim/v2/Users/{made['UserId']}", headers=live.headers())
    assert served.status_code == 200
