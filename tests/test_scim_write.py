"""Provisioning through HTTP against the simulated Identity Center.

Every test checks three things: what AWS ends up holding (read with boto3
from the simulator, not from our store), what the client was answered, and
what the ledger recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connector.connection import connect
from connector.provisioning.provisioner import Provisioner
from connector.simulator import behaviour
from connector.store import ledger, tables, write_claims
from connector.writers.users import CreateUser
from scim.writes.operations import answer_status
from tests.live import (
    Live,
    first_user,
    free_pair,
    grant_op,
)
from tests.simulation import simulator_settings

# -- guardrails, dry run, idempotency --------------------------------------------------------


def test_a_stalled_runner_whose_operation_was_taken_over_stops_recording(
    live_sqlite: Live,
) -> None:
    live = live_sqlite
    behaviour().update(assignment_delay_seconds=2.0)
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    accepted = live.patch(
        f"Users/{user}",
        grant_op(account, arn),
    )
    assert accepted.status_code == 202
    operation_id = accepted.headers["Location"].rsplit("/", 1)[-1]
    # The first runner looks dead (a stall longer than IDCC_WRITE_RESUME_AFTER)...
    with live.store.writing() as connection:
        connection.execute(
            tables.write_operations.update()
            .where(tables.write_operations.c.id == operation_id)
            .values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=5))
        )
    settings = simulator_settings(str(live.store.engine.url), write_resume_after="1s")
    second = Provisioner(live.store, settings, lambda: connect(settings))
    try:
        assert second.resume_stale() == [operation_id]
        record = second.wait(operation_id, 15)
        live.provisioner.wait(operation_id, 5)
    finally:
        second.close()
    assert record.status == "succeeded"
    # ... so it stops: one request to AWS in all, one end recorded per step.
    assert live.create_calls() == 1
    assert second.aws().stats.calls["sso-admin:CreateAccountAssignment"] == 0
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
    stale = datetime.now(UTC) - timedelta(minutes=5)
    with live.store.writing() as connection:
        ledger.create_operation(
            connection,
            operation_id=operation_id,
            token_name="iga-writer",
            action="create",
            resource_type="User",
            resource_id=None,
            idempotency_key=None,
            request_hash="h",
            intents=[CreateUser(params=params)],
            runner="dead-process",
            now=stale,
        )
        assert write_claims.take_locks(
            connection, operation_id, CreateUser(params=params).lock_keys, stale
        )
        ledger.start_step(connection, operation_id, 0, stale)
    made = live.aws.identity_store.create_user(IdentityStoreId=live.aws.identity_store_id, **params)
    settings = simulator_settings(str(live.store.engine.url), write_resume_after="1s")
    resumer = Provisioner(live.store, settings, lambda: connect(settings))
    try:
        assert resumer.resume_stale() == [operation_id]
        record = resumer.wait(operation_id, 15)
    finally:
        resumer.close()
    assert record.status == "succeeded" and answer_status(record) == 201
    assert record.resource_id == made["UserId"]
    assert resumer.aws().stats.calls["identitystore:CreateUser"] == 0
    served = live.client.get(f"/scim/v2/Users/{made['UserId']}", headers=live.headers())
    assert served.status_code == 200
