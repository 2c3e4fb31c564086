"""Requests that overlap: AWS ends as the last of them asked, with no call made twice.

Twenty identical grants at once make one AWS call; a revoke sent while its
grant still runs in AWS still leaves AWS without the assignment.
"""

from __future__ import annotations

import threading
from typing import Any

from connector.record_keys import entitlement_id
from connector.simulator import behaviour
from tests.live import PATCH_OP, Live, ended, first_user, free_pair


def test_twenty_concurrent_identical_grants_make_one_aws_call(live_short_wait: Live) -> None:
    live = live_short_wait
    behaviour().update(assignment_delay_seconds=0.5)
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    body = {
        "schemas": [PATCH_OP],
        "Operations": [
            {
                "op": "add",
                "path": "entitlements",
                "value": [{"value": entitlement_id(account, arn)}],
            }
        ],
    }
    statuses: list[int] = []
    answers: list[Any] = []

    def grant() -> None:
        client = live.client.application.test_client()
        answer = client.patch(f"/scim/v2/Users/{user}", json=body, headers=live.headers())
        statuses.append(answer.status_code)
        answers.append(answer)

    threads = [threading.Thread(target=grant) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for answer in answers:  # a 202 goes on in the background: wait for its end
        ended(live, answer)
    assert live.create_calls() == 1
    assert all(status in (200, 202) for status in statuses), statuses
    assert live.holds(account, arn, "USER", user)


def test_a_revoke_right_after_a_running_grant_still_leaves_aws_without_it(
    live_short_wait: Live,
) -> None:
    live = live_short_wait
    behaviour().update(assignment_delay_seconds=2.0)
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    entitlement = entitlement_id(account, arn)
    granting = live.patch(
        f"Users/{user}", {"op": "add", "path": "entitlements", "value": [{"value": entitlement}]}
    )
    assert granting.status_code == 202  # the served user does not show it yet
    revoking = live.patch(
        f"Users/{user}", {"op": "remove", "path": f'entitlements[value eq "{entitlement}"]'}
    )
    assert revoking.status_code in (200, 202)
    assert ended(live, revoking).status == "succeeded"
    assert not live.holds(account, arn, "USER", user)
