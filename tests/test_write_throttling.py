"""A throttling fault on each AWS operation the write path calls (issue 9's fault suite).

One lifecycle (a user created with a grant, updated, put in a new group that
is renamed, taken out, its grant revoked, both deleted) runs while the
simulator throttles half of one operation's requests. Every operation must end
as AWS ended it, and afterwards the ledger, AWS and the served data agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from connector.record_keys import entitlement_id
from connector.simulator import behaviour
from tests.live import Live, ended, free_pairs, new_user, open_live

WRITE_PATH_OPERATIONS = [
    "CreateUser",
    "DescribeUser",
    "UpdateUser",
    "DeleteUser",
    "CreateGroup",
    "DescribeGroup",
    "UpdateGroup",
    "DeleteGroup",
    "GetGroupMembershipId",
    "CreateGroupMembership",
    "DeleteGroupMembership",
    "ListAccountAssignments",
    "ListAccountAssignmentsForPrincipal",
    "CreateAccountAssignment",
    "DescribeAccountAssignmentCreationStatus",
    "DeleteAccountAssignment",
    "DescribeAccountAssignmentDeletionStatus",
]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    yield from open_live(
        f"sqlite:///{tmp_path}/store.sqlite3", tmp_path, write_wait="1", aws_max_attempts="2"
    )


@pytest.fixture
def live_postgres(postgres_url: str, tmp_path: Path) -> Iterator[Live]:
    yield from open_live(postgres_url, tmp_path, write_wait="1", aws_max_attempts="2")


def finished(live: Live, answer: Any) -> tuple[int, Any]:
    """(status answered, the operation once ended): a 202 is followed to its end."""
    record = ended(live, answer, seconds=180)
    assert record.status == "succeeded", record.error
    return answer.status_code, record


def lifecycle(live: Live) -> dict[str, Any]:
    """The writes; what the client was answered, and the ids made."""
    h = live.headers()
    made = live.client.post(
        "/scim/v2/Users", json=new_user("fault@example.com", "Fa", "Ult"), headers=h
    )
    assert made.status_code in (201, 202), made.get_json()
    _, record = finished(live, made)
    user = record.resource_id
    ((account, arn),) = free_pairs(live, user, 1)
    entitlement = entitlement_id(account, arn)
    steps = [
        live.patch(
            f"Users/{user}",
            {"op": "add", "path": "entitlements", "value": [{"value": entitlement}]},
        ),
        live.patch(f"Users/{user}", {"op": "replace", "path": "title", "value": "Auditor"}),
    ]
    group_answer = live.client.post(
        "/scim/v2/Groups",
        json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "faulty"},
        headers=h,
    )
    _, group_record = finished(live, group_answer)
    group = group_record.resource_id
    steps += [
        live.patch(f"Groups/{group}", {"op": "add", "path": "members", "value": [{"value": user}]}),
        live.patch(
            f"Groups/{group}", {"op": "replace", "path": "displayName", "value": "faulty-2"}
        ),
    ]
    for answer in steps:
        finished(live, answer)
    with unthrottled():
        in_between = {
            "member": _is_member(live, group, user),
            "title": _aws_user(live, user)["Title"],
            "held": live.holds(account, arn, "USER", user),
        }
    for answer in [
        live.patch(f"Groups/{group}", {"op": "remove", "path": f'members[value eq "{user}"]'}),
        live.patch(
            f"Users/{user}", {"op": "remove", "path": f'entitlements[value eq "{entitlement}"]'}
        ),
    ]:
        finished(live, answer)
    with unthrottled():
        in_between["member after"] = _is_member(live, group, user)
        in_between["held after"] = live.holds(account, arn, "USER", user)
    served = live.client.get(f"/scim/v2/Users/{user}", headers=h).get_json()
    in_between["served"] = (served["title"], [e["value"] for e in served.get("entitlements", [])])
    for path in (f"Groups/{group}", f"Users/{user}"):
        finished(live, live.client.delete(f"/scim/v2/{path}", headers=h))
    return {"user": user, "group": group, "seen": in_between}


@contextmanager
def unthrottled() -> Iterator[None]:
    """The test's own look at AWS, between writes that have all ended, unthrottled."""
    faults = dict(behaviour().throttled_operations)
    behaviour().update(throttled_operations={})
    try:
        yield
    finally:
        behaviour().update(throttled_operations=faults)


def _aws_user(live: Live, user: str) -> dict[str, Any]:
    found: dict[str, Any] = live.aws.identity_store.describe_user(
        IdentityStoreId=live.aws.identity_store_id, UserId=user
    )
    return found


def _is_member(live: Live, group: str, user: str) -> bool:
    memberships = live.aws.identity_store.list_group_memberships(
        IdentityStoreId=live.aws.identity_store_id, GroupId=group
    )["GroupMemberships"]
    return any(m["MemberId"].get("UserId") == user for m in memberships)


def check_agreement(live: Live, result: dict[str, Any]) -> None:
    assert result["seen"] == {
        "member": True,
        "title": "Auditor",
        "held": True,
        "member after": False,
        "held after": False,
        "served": ("Auditor", []),
    }
    store_id = live.aws.identity_store_id
    users = live.aws.identity_store.list_users(IdentityStoreId=store_id)["Users"]
    groups = live.aws.identity_store.list_groups(IdentityStoreId=store_id)["Groups"]
    assert result["user"] not in {u["UserId"] for u in users}
    assert result["group"] not in {g["GroupId"] for g in groups}
    for path in (f"Users/{result['user']}", f"Groups/{result['group']}"):
        assert live.client.get(f"/scim/v2/{path}", headers=live.headers()).status_code == 404
    # Every step the ledger calls a change is one AWS made: none failed, none open.
    operations = live.client.get("/scim/v2/Operations?count=100", headers=live.headers())
    statuses = {o["status"] for o in operations.get_json()["Resources"]}
    assert statuses == {"succeeded"}, statuses


@pytest.mark.parametrize("operation", WRITE_PATH_OPERATIONS)
def test_writes_under_throttling_of_one_operation_end_as_aws_ended_them(
    live: Live, operation: str
) -> None:
    behaviour().update(throttled_operations={operation: 0.5})
    result = lifecycle(live)
    behaviour().update(throttled_operations={})
    check_agreement(live, result)
    assert live.provisioner.aws().stats.throttles[_key(operation)] > 0, "no fault was injected"


def test_writes_under_throttling_of_every_operation_on_postgres(live_postgres: Live) -> None:
    behaviour().update(throttled_operations=dict.fromkeys(WRITE_PATH_OPERATIONS, 0.3))
    result = lifecycle(live_postgres)
    behaviour().update(throttled_operations={})
    check_agreement(live_postgres, result)


def _key(operation: str) -> str:
    service = "sso-admin" if "Account" in operation else "identitystore"
    return f"{service}:{operation}"
