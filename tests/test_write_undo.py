"""A write AWS refuses answers AWS's reason, and what its earlier steps did is undone.

Each test checks what AWS ends up holding, what the client was answered and
the steps the ledger recorded; an undo never overwrites what a later request
changed.
"""

from __future__ import annotations

from connector.record_keys import entitlement_id
from connector.simulator import behaviour
from tests.live import Live, ended, first_user, free_pair, free_pairs, grant_op


def test_a_failed_assignment_answers_aws_reason_and_changes_nothing(live: Live) -> None:
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    behaviour().update(failing_permission_set_arns={arn}, failure_reason="Role quota exceeded")
    failed = live.patch(f"Users/{user}", grant_op(account, arn))
    assert failed.status_code == 502
    body = failed.get_json()
    assert "Role quota exceeded" in body["detail"]
    assert not live.holds(account, arn, "USER", user)
    record = live.operation(failed.headers["X-Operation"].rsplit("/", 1)[-1])
    assert record.status == "failed"
    assert record.steps[0].failure_reason == "Role quota exceeded"


def test_a_patch_whose_third_operation_fails_leaves_aws_as_it_was(live: Live) -> None:
    user = first_user(live)
    (a1, p1), (a2, p2), (a3, p3) = free_pairs(live, user, 3)
    behaviour().update(failing_principal_ids=set(), failure_hook=None)
    behaviour().update(
        failure_hook=lambda request: (
            "denied by SCP" if (request.target_id, request.permission_set_arn) == (a3, p3) else None
        )
    )
    before = {pair: live.holds(*pair, "USER", user) for pair in ((a1, p1), (a2, p2), (a3, p3))}
    response = live.patch(
        f"Users/{user}",
        *(grant_op(a, p) for a, p in ((a1, p1), (a2, p2), (a3, p3))),
    )
    assert response.status_code == 502
    assert "step 3" in response.get_json()["detail"]
    assert {pair: live.holds(*pair, "USER", user) for pair in before} == before
    record = live.operation(response.headers["X-Operation"].rsplit("/", 1)[-1])
    assert [(s.role, s.intent.kind, s.status) for s in record.steps] == [
        ("do", "grant", "succeeded"),
        ("do", "grant", "succeeded"),
        ("do", "grant", "failed"),
        ("undo", "revoke", "succeeded"),
        ("undo", "revoke", "succeeded"),
    ]
    served = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_json()
    shown = {e["value"] for e in served.get("entitlements", [])}
    assert not shown & {entitlement_id(a, p) for a, p in ((a1, p1), (a2, p2), (a3, p3))}


def test_undoing_a_failed_request_never_overwrites_a_later_ones_change(
    live_short_wait: Live,
) -> None:
    live = live_short_wait
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    behaviour().update(
        assignment_delay_seconds=1.5, failing_permission_set_arns={arn}, failure_reason="no"
    )
    first = live.patch(
        f"Users/{user}",
        {"op": "replace", "path": "title", "value": "A"},
        grant_op(account, arn),
    )
    assert first.status_code == 202  # its grant is still running, and will fail
    second = live.patch(f"Users/{user}", {"op": "replace", "path": "title", "value": "B"})
    assert second.status_code in (200, 202)
    for answer in (first, second):
        ended(live, answer)
    described = live.aws.identity_store.describe_user(
        IdentityStoreId=live.aws.identity_store_id, UserId=user
    )
    assert described["Title"] == "B"
