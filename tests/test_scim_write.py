"""Provisioning through HTTP against the simulated Identity Center.

Every test checks three things: what AWS ends up holding (read with boto3
from the simulator, not from our store), what the client was answered, and
what the ledger recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from connector.connection import connect
from connector.provisioning.provisioner import Provisioner
from connector.simulator import behaviour
from connector.store import ledger, rendered, tables, write_claims
from connector.store.codec import entitlement_id
from connector.store.snapshots import current_snapshot_id
from connector.writers.users import CreateUser
from scim.writes.operations import answer_status
from tests.live import (
    Live,
    first_user,
    free_pair,
    grant_op,
    new_user,
)
from tests.simulation import simulator_settings

AWS_USER = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User"


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


def test_a_sync_that_read_aws_before_a_write_does_not_hide_it(live: Live) -> None:
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    entitlement = entitlement_id(account, arn)
    # A sync begins and reads AWS (as it stands before the grant) ...
    sync_id = live.store.begin_sync()
    read_before = live.store.read_snapshot()
    assert read_before is not None
    # ... the grant succeeds meanwhile ...
    granted = live.patch(
        f"Users/{user}", {"op": "add", "path": "entitlements", "value": [{"value": entitlement}]}
    )
    assert granted.status_code == 200
    # ... and the sync publishes what it read.
    live.store.publish(sync_id, read_before, aws={}, walk={}, organizations_unavailable=None)
    served = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_json()
    assert entitlement in {e["value"] for e in served["entitlements"]}


def test_a_user_created_while_a_sync_ran_is_still_served_after_it_publishes(live: Live) -> None:
    sync_id = live.store.begin_sync()
    read_before = live.store.read_snapshot()
    assert read_before is not None
    created = live.client.post(
        "/scim/v2/Users",
        json=new_user("mid.sync@example.com", "Mid", "Sync"),
        headers=live.headers(),
    )
    assert created.status_code == 201
    user = created.get_json()["id"]
    renamed = live.patch(f"Users/{user}", {"op": "replace", "path": "title", "value": "Analyst"})
    assert renamed.status_code == 200
    live.store.publish(sync_id, read_before, aws={}, walk={}, organizations_unavailable=None)
    served = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers())
    assert served.status_code == 200
    assert served.get_json()["title"] == "Analyst"


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


def test_a_document_rendered_before_a_write_is_not_stored_after_it(live: Live) -> None:
    user = first_user(live)
    began = datetime.now(UTC)
    stale = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_data(True)
    renamed = live.patch(f"Users/{user}", {"op": "replace", "path": "title", "value": "Fresh"})
    assert renamed.status_code == 200
    with live.store.engine.begin() as connection:
        snapshot_id = current_snapshot_id(connection)
        assert snapshot_id is not None
        # What a render that read the user before the write would now store:
        rendered.store_fresh_documents(connection, snapshot_id, "User", {user: stale}, since=began)
    served = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers())
    assert served.get_json()["title"] == "Fresh"


def test_a_group_grant_shows_in_delta_aggregation_of_its_members(live: Live) -> None:
    memberships = live.manifest.expected_memberships()
    group = max(
        sorted(live.manifest.groups.values()), key=lambda g: sum(m[0] == g for m in memberships)
    )
    members = {u for g, u in memberships if g == group}
    account, arn = free_pair(live, "GROUP", group)
    before = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    granted = live.patch(
        f"Groups/{group}",
        grant_op(account, arn),
    )
    assert granted.status_code == 200
    changed = live.client.get(
        "/scim/v2/Users?count=1000&filter=" + quote(f'meta.lastModified gt "{before}"'),
        headers=live.headers(),
    ).get_json()
    assert members and members <= {u["id"] for u in changed["Resources"]}
    some_member = sorted(members)[0]
    access = live.client.get(
        f"/scim/v2/Users/{some_member}?attributes={AWS_USER}:effectiveAccess",
        headers=live.headers(),
    ).get_json()[AWS_USER]["effectiveAccess"]
    assert (entitlement_id(account, arn), group) in {
        (e["value"], e.get("viaGroup")) for e in access
    }
