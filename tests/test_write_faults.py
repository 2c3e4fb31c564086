"""Writes under faults: what the connector reports is what AWS did (issue 9).

Throttling aimed at one AWS operation at a time, a status that cannot be read,
a deletion racing the grants it must revoke, and two requests that need the
same locks in opposite order. Each test asserts what AWS holds (read with
boto3 from the simulator), what the ledger recorded, and what is served.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.record_keys import entitlement_id
from connector.simulator import behaviour
from connector.simulator.behaviour import OperationRequest
from tests.live import (
    Live,
    ended,
    first_user,
    free_pairs,
    grant_op,
    new_user,
    open_live,
    operation_id,
)

# Throttles surface after one retry; a step keeps asking for as long as it takes.
FAULTY = {"write_wait": "1", "aws_max_attempts": "2"}


@pytest.fixture
def live(store_url: str, tmp_path: Path) -> Iterator[Live]:
    yield from open_live(store_url, tmp_path, **FAULTY)


@pytest.fixture
def live_sqlite(tmp_path: Path) -> Iterator[Live]:
    yield from open_live(f"sqlite:///{tmp_path}/store.sqlite3", tmp_path, **FAULTY)


def wait_until(condition: Any, seconds: float = 60) -> None:
    event = threading.Event()
    for _ in range(int(seconds * 10)):
        if condition():
            return
        event.wait(0.1)
    raise AssertionError("the awaited state was not reached")


def reads_failed(live: Live, operation: str, times: int) -> None:
    """Wait until `times` reads of `operation` have failed in the connector (each
    after botocore's own retries): a third call is made only once two failed."""
    key = f"sso-admin:{operation}"
    wait_until(lambda: live.provisioner.aws().stats.calls[key] > times)


def served_entitlements(live: Live, user: str) -> set[str]:
    document = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_json()
    return {e["value"] for e in document.get("entitlements", [])}


def listed_for(live: Live, principal_type: str, principal_id: str) -> set[tuple[str, str]]:
    """What AWS itself lists for the principal (ListAccountAssignmentsForPrincipal)."""
    pages = live.aws.sso_admin.get_paginator("list_account_assignments_for_principal").paginate(
        InstanceArn=live.aws.instance_arn, PrincipalType=principal_type, PrincipalId=principal_id
    )
    return {
        (a["AccountId"], a["PermissionSetArn"])
        for page in pages
        for a in page["AccountAssignments"]
        if a["PrincipalId"] == principal_id
    }


@pytest.mark.parametrize(
    "status_operation",
    ["DescribeAccountAssignmentCreationStatus", "DescribeAccountAssignmentDeletionStatus"],
)
def test_a_change_whose_status_cannot_be_read_is_answered_202_never_failed(
    live: Live, status_operation: str
) -> None:
    user = first_user(live)
    ((account, arn),) = free_pairs(live, user, 1)
    entitlement = entitlement_id(account, arn)
    if status_operation.endswith("DeletionStatus"):
        assert ended(live, live.patch(f"Users/{user}", grant_op(account, arn))).status == (
            "succeeded"
        )
        change = {"op": "remove", "path": f'entitlements[value eq "{entitlement}"]'}
    else:
        change = grant_op(account, arn)
    behaviour().update(throttled_operations={status_operation: 1.0})

    answer = live.patch(f"Users/{user}", change)

    # AWS accepted the request; only its status cannot be read. Still running.
    assert answer.status_code == 202, answer.get_json()
    granting = change["op"] == "add"
    wait_until(lambda: live.holds(account, arn, "USER", user) == granting)
    reads_failed(live, status_operation, 2)
    assert not live.operation(operation_id(answer)).finished
    behaviour().update(throttled_operations={})
    record = ended(live, answer)
    assert record.status == "succeeded", record.error
    (step,) = record.steps
    assert step.status == "succeeded" and step.aws_request_id
    assert (entitlement in served_entitlements(live, user)) == granting


def test_undo_steps_whose_status_cannot_be_read_still_undo(live_sqlite: Live) -> None:
    live = live_sqlite
    user = first_user(live)
    pairs = free_pairs(live, user, 3)
    failing = pairs[2]

    def fail_third(request: OperationRequest) -> str | None:
        wanted = (request.target_id, request.permission_set_arn) == failing
        return "injected failure" if wanted and request.kind == "ASSIGNMENT_CREATION" else None

    behaviour().update(
        failure_hook=fail_third,
        throttled_operations={"DescribeAccountAssignmentDeletionStatus": 1.0},
    )
    answer = live.patch(
        f"Users/{user}",
        {
            "op": "add",
            "path": "entitlements",
            "value": [{"value": entitlement_id(a, p)} for a, p in pairs],
        },
    )
    assert answer.status_code == 202, answer.get_json()
    # The undo's first revoke (of the last grant) reaches AWS; its status cannot be read.
    wait_until(lambda: not live.holds(*pairs[1], "USER", user))
    reads_failed(live, "DescribeAccountAssignmentDeletionStatus", 2)
    assert not live.operation(operation_id(answer)).finished
    behaviour().update(throttled_operations={})
    record = ended(live, answer)
    assert record.status == "failed"
    assert "the 2 change(s) before it were undone" in (record.error or "")
    undo = [s for s in record.steps if s.role == "undo"]
    assert [s.status for s in undo] == ["succeeded", "succeeded"]
    assert not any(live.holds(a, p, "USER", user) for a, p in pairs)
    assert not served_entitlements(live, user) & {entitlement_id(a, p) for a, p in pairs}


def test_deleting_a_user_while_its_grants_run_leaves_no_assignment(live: Live) -> None:
    created = live.client.post(
        "/scim/v2/Users", json=new_user("leaver@example.com", "Lea", "Ver"), headers=live.headers()
    )
    # The module answers 202 after 1 s: on a busy machine the creation may take longer.
    made = ended(live, created)
    assert made.status == "succeeded", made
    user = made.resource_id
    pairs = free_pairs(live, user, 6)
    behaviour().update(assignment_delay_seconds=0.5)
    granting = live.patch(
        f"Users/{user}",
        {
            "op": "add",
            "path": "entitlements",
            "value": [{"value": entitlement_id(a, p)} for a, p in pairs],
        },
    )
    assert granting.status_code == 202
    deleting = live.client.delete(f"/scim/v2/Users/{user}", headers=live.headers())
    assert deleting.status_code in (202, 204), deleting.get_json()
    assert ended(live, granting).status == "succeeded"
    if deleting.status_code == 202:
        assert ended(live, deleting).status == "succeeded"
    assert listed_for(live, "USER", user) == set()
    assert not any(live.holds(a, p, "USER", user) for a, p in pairs)
    users = live.aws.identity_store.list_users(IdentityStoreId=live.aws.identity_store_id)
    assert user not in {u["UserId"] for u in users["Users"]}


def test_two_patches_granting_the_same_entitlements_in_opposite_order_both_end(
    live_sqlite: Live,
) -> None:
    live = live_sqlite
    user = first_user(live)
    a, b = (entitlement_id(*pair) for pair in free_pairs(live, user, 2))
    behaviour().update(assignment_delay_seconds=1)
    answers: dict[str, Any] = {}

    def grant(name: str, order: list[str]) -> None:
        client = live.client.application.test_client()
        answers[name] = client.patch(
            f"/scim/v2/Users/{user}",
            json={
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "add", "path": "entitlements", "value": [{"value": v} for v in order]}
                ],
            },
            headers=live.headers(),
        )

    threads = [
        threading.Thread(target=grant, args=("ab", [a, b])),
        threading.Thread(target=grant, args=("ba", [b, a])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for answer in answers.values():
        if answer.status_code == 202:
            # Well inside the 300 s a lock waits before it gives up.
            assert ended(live, answer, seconds=60).status == "succeeded"
        else:
            assert answer.status_code == 200, answer.get_json()
    assert {a, b} <= served_entitlements(live, user)
    assert live.create_calls() == 2


def test_a_deletion_whose_listing_is_throttled_still_revokes_console_grants(
    live_sqlite: Live,
) -> None:
    live = live_sqlite
    user = first_user(live)
    ((account, arn),) = free_pairs(live, user, 1)
    # Granted in the console after the last sync: only AWS's own listing shows it.
    live.grant_in_console(account, arn, "USER", user)
    behaviour().update(throttled_operations={"ListAccountAssignmentsForPrincipal": 1.0})
    deleting = live.client.delete(f"/scim/v2/Users/{user}", headers=live.headers())
    assert deleting.status_code == 202, deleting.get_json()
    # The listing is asked again, not given up for the served data alone.
    reads_failed(live, "ListAccountAssignmentsForPrincipal", 2)
    behaviour().update(throttled_operations={})
    assert ended(live, deleting).status == "succeeded"
    assert not live.holds(account, arn, "USER", user)
    assert listed_for(live, "USER", user) == set()


def test_a_dry_run_aws_keeps_throttling_answers_503_with_retry_after(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    for live in open_live(url, tmp_path, **FAULTY, write_retry_for="1s"):
        user = first_user(live)
        behaviour().update(throttled_operations={"ListAccountAssignmentsForPrincipal": 1.0})
        answer = live.client.delete(
            f"/scim/v2/Users/{user}", headers=live.headers(**{"X-Dry-Run": "true"})
        )
        assert answer.status_code == 503, answer.get_json()
        assert answer.headers["Retry-After"]
        assert "ThrottlingException" in answer.get_json()["detail"]
        behaviour().update(throttled_operations={})
        assert live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).status_code == 200
