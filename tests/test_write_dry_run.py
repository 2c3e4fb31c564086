"""A dry run (X-Dry-Run: true) answers the AWS calls a write would make, and makes none."""

from __future__ import annotations

from tests.live import Live, first_user, free_pair, grant_op


def test_a_dry_run_answers_the_calls_and_makes_none(live_sqlite: Live) -> None:
    live = live_sqlite
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    answer = live.patch(f"Users/{user}", grant_op(account, arn), **{"X-Dry-Run": "true"})
    assert answer.status_code == 200
    (step,) = answer.get_json()["steps"]
    (call,) = step["calls"]
    assert call["operation"] == "CreateAccountAssignment"
    assert call["parameters"]["PermissionSetArn"] == arn
    assert call["parameters"]["PrincipalId"] == user
    assert live.create_calls() == 0
    assert not live.holds(account, arn, "USER", user)
