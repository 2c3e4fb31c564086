"""Leavers are disabled, rehires enabled: `active` is the Identity Store's UserStatus.

Each test checks what AWS ends up holding (DescribeUser through boto3) and what
the client reads back; PATCH, PUT and POST all reach it, through the same
ledger, dry run and undo as every other write.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schemas.urns import AWS_USER
from tests.live import Live, first_user, free_pair, grant_op, new_user, open_live


def _status(live: Live, user: str) -> str:
    described = live.aws.identity_store.describe_user(
        IdentityStoreId=live.aws.identity_store_id, UserId=user
    )
    return str(described["UserStatus"])


def _served(live: Live, user: str) -> dict[str, Any]:
    answer = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers())
    assert answer.status_code == 200
    body: dict[str, Any] = answer.get_json()
    return body


def _active(value: bool) -> dict[str, Any]:
    return {"op": "replace", "path": "active", "value": value}


def test_patch_disables_a_leaver_and_enables_a_rehire(live: Live) -> None:
    user = first_user(live)

    disabled = live.patch(f"Users/{user}", _active(False))

    assert disabled.status_code == 200, disabled.get_json()
    assert disabled.get_json()["active"] is False
    assert _status(live, user) == "DISABLED"
    served = _served(live, user)
    assert served["active"] is False and served[AWS_USER]["userStatus"] == "DISABLED"

    enabled = live.patch(f"Users/{user}", _active(True))

    assert enabled.status_code == 200, enabled.get_json()
    assert _status(live, user) == "ENABLED"
    assert _served(live, user)["active"] is True


def test_put_sets_the_status_it_asserts_and_keeps_the_one_it_does_not(live: Live) -> None:
    user = first_user(live)
    document = _served(live, user)
    document.pop("meta")

    answer = live.client.put(
        f"/scim/v2/Users/{user}", json=document | {"active": False}, headers=live.headers()
    )
    assert answer.status_code == 200, answer.get_json()
    assert _status(live, user) == "DISABLED"

    without_active = {k: v for k, v in document.items() if k != "active"}
    answer = live.client.put(
        f"/scim/v2/Users/{user}", json=without_active | {"title": "Left"}, headers=live.headers()
    )
    assert answer.status_code == 200, answer.get_json()
    assert _status(live, user) == "DISABLED"  # not asserted: left as it was


def test_a_user_posted_inactive_is_created_disabled(live: Live) -> None:
    created = live.client.post(
        "/scim/v2/Users",
        json=new_user("pre.hire@example.com", "Pre", "Hire") | {"active": False},
        headers=live.headers(),
    )

    assert created.status_code == 201, created.get_json()
    assert created.get_json()["active"] is False
    assert _status(live, created.get_json()["id"]) == "DISABLED"


def test_a_dry_run_shows_the_update_and_changes_nothing(live: Live) -> None:
    user = first_user(live)

    answer = live.patch(f"Users/{user}", _active(False), **{"X-Dry-Run": "true"})

    assert answer.status_code == 200, answer.get_json()
    (step,) = answer.get_json()["steps"]
    (call,) = step["calls"]
    assert call["operation"] == "UpdateUser"
    assert call["parameters"]["Operations"] == [
        {"AttributePath": "userStatus", "AttributeValue": "DISABLED"}
    ]
    assert _status(live, user) == "ENABLED"


def test_a_status_that_is_not_a_boolean_is_refused_and_changes_nothing(live: Live) -> None:
    user = first_user(live)

    answer = live.patch(f"Users/{user}", {"op": "replace", "path": "active", "value": "no"})

    assert answer.status_code == 400
    assert answer.get_json()["scimType"] == "invalidValue"
    assert "active" in answer.get_json()["detail"]
    assert _status(live, user) == "ENABLED"


@pytest.fixture
def disabling_live(tmp_path: Path) -> Iterator[Live]:
    """The service configured to disable users a client deletes (IDCC_USER_DELETE)."""
    yield from open_live(f"sqlite:///{tmp_path}/store.sqlite3", tmp_path, user_delete="disable")


def test_with_user_delete_disable_a_deleted_user_is_disabled_and_keeps_its_access(
    disabling_live: Live,
) -> None:
    live = disabling_live
    user = first_user(live)
    assert live.patch(f"Users/{user}", grant_op(*free_pair(live, "USER", user))).status_code == 200
    held = _served(live, user)["entitlements"]

    deleted = live.client.delete(f"/scim/v2/Users/{user}", headers=live.headers())

    assert deleted.status_code == 204, deleted.get_json()
    assert _status(live, user) == "DISABLED"
    served = _served(live, user)
    assert served["active"] is False
    assert served["entitlements"] == held
    again = live.client.delete(f"/scim/v2/Users/{user}", headers=live.headers())
    assert again.status_code == 204, again.get_json()
    assert _status(live, user) == "DISABLED"
