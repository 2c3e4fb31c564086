"""A write AWS finishes later answers 202 and is tracked as an operation.

The 202 names the operation (Location) and, for a POST, the resource already
created; the operation ends later, and /Operations and the `operations`
command show what the ledger recorded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.record_keys import entitlement_id
from connector.simulator import behaviour
from tests.live import Live, ended, first_user, free_pair, grant_op, new_user, open_live

AWS_GROUP = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:Group"


def test_a_slow_assignment_answers_202_and_its_operation_ends_later(live_short_wait: Live) -> None:
    live = live_short_wait
    behaviour().update(assignment_delay_seconds=2.5)
    group = sorted(live.manifest.groups.values())[0]
    account, arn = free_pair(live, "GROUP", group)
    entitlement = entitlement_id(account, arn)

    accepted = live.patch(
        f"Groups/{group}",
        {"op": "Add", "path": "entitlements", "value": [{"value": entitlement}]},
    )
    assert accepted.status_code == 202, accepted.get_json()
    location = accepted.headers["Location"]
    assert location.startswith("http://localhost/scim/v2/Operations/")
    # One absolute URL names the operation in the headers and in its document.
    assert accepted.headers["X-Operation"] == location
    assert accepted.get_json()["meta"]["location"] == location
    assert accepted.get_json()["status"] in ("accepted", "in_progress")
    assert not live.holds(account, arn, "GROUP", group)

    record = ended(live, accepted)
    assert record.status == "succeeded"
    operation_id = record.id
    assert live.holds(account, arn, "GROUP", group)
    shown = live.client.get(f"/scim/v2/Operations/{operation_id}", headers=live.headers())
    assert shown.status_code == 200
    assert shown.get_json()["status"] == "succeeded"
    assert shown.get_json()["steps"][0]["awsRequestId"] == record.steps[0].aws_request_id
    listed = live.client.get(
        f"/scim/v2/Operations?status=succeeded&principal={group}", headers=live.headers()
    )
    assert operation_id in {o["id"] for o in listed.get_json()["Resources"]}
    group_doc = live.client.get(f"/scim/v2/Groups/{group}", headers=live.headers()).get_json()
    assert entitlement in {e["value"] for e in group_doc[AWS_GROUP]["entitlements"]}


@pytest.fixture
def live_patient(tmp_path: Path) -> Iterator[Live]:
    """Waits 5 s for a write before answering 202: long enough for a CreateUser even
    on a busy machine, so a 202 comes from the slow grant after it."""
    yield from open_live(f"sqlite:///{tmp_path}/store.sqlite3", tmp_path, write_wait="5")


def test_a_post_answered_202_already_names_the_user_it_created(live_patient: Live) -> None:
    live = live_patient
    behaviour().update(assignment_delay_seconds=12.0)
    account, arn = sorted(live.manifest.expected_provisioned_pairs())[0]
    accepted = live.client.post(
        "/scim/v2/Users",
        json=new_user(
            "slow.grant@example.com",
            "Slow",
            "Grant",
            entitlements=[{"value": entitlement_id(account, arn)}],
        ),
        headers=live.headers(),
    )
    assert accepted.status_code == 202
    user = accepted.get_json()["resourceId"]
    described = live.aws.identity_store.describe_user(
        IdentityStoreId=live.aws.identity_store_id, UserId=user
    )
    assert described["UserName"] == "slow.grant@example.com"
    record = ended(live, accepted)
    assert record.status == "succeeded" and live.holds(account, arn, "USER", user)


def test_the_operations_command_shows_the_ledger(live_sqlite: Live, tmp_path: Path) -> None:
    live = live_sqlite
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    answer = live.patch(f"Users/{user}", grant_op(account, arn))
    assert answer.status_code == 200
    url = str(live.store.engine.url)
    shown = subprocess.run(
        [sys.executable, "-m", "connector.cli", "operations", "--json"],
        env={"IDCC_DATABASE_URL": url, "IDCC_REGION": "us-east-1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    (operation,) = json.loads(shown.stdout)
    assert operation["status"] == "succeeded" and operation["token_name"] == "iga-writer"
    assert operation["steps"][0]["intent"]["principal_id"] == user
