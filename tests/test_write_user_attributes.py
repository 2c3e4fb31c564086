"""Every Identity Store user attribute, written and read over SCIM.

`roles`, `photos`, our extension's `website` and `birthdate` and the enterprise
extension reach the Identity Store's Roles, Photos, Website, Birthdate and
"aws:identitystore:enterprise" extension through CreateUser and UpdateUser; each test
checks what AWS ends up holding (DescribeUser with Extensions, through boto3) and what
the client reads back.
"""

from __future__ import annotations

from typing import Any

from connector.connection import connect
from connector.readers.users import ENTERPRISE_EXTENSION
from connector.simulator import behaviour
from connector.store import ledger
from connector.sync import run_sync
from connector.writers.registry import intent_from_json
from schemas.urns import AWS_USER, ENTERPRISE_USER
from tests.live import Live, first_user, free_pair, grant_op, new_user
from tests.simulation import simulator_settings

PHOTOS = [
    {"value": "https://example.com/grace.png", "type": "photo", "primary": True},
    {"value": "https://example.com/grace-small.png", "type": "thumbnail", "display": "small"},
]


def _described(live: Live, user: str) -> dict[str, Any]:
    described: dict[str, Any] = live.aws.identity_store.describe_user(
        IdentityStoreId=live.aws.identity_store_id, UserId=user, Extensions=[ENTERPRISE_EXTENSION]
    )
    described.pop("ResponseMetadata")
    return described


def _served(live: Live, user: str) -> dict[str, Any]:
    answer = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers())
    assert answer.status_code == 200
    body: dict[str, Any] = answer.get_json()
    return body


def _everything(manager: str) -> dict[str, Any]:
    return {
        "roles": [{"value": "Rear Admiral", "type": "work", "primary": True}],
        "photos": PHOTOS,
        AWS_USER: {"website": "https://grace.example.com", "birthdate": "1906-12-09"},
        ENTERPRISE_USER: {
            "employeeNumber": "1906",
            "costCenter": "CC-42",
            "organization": "Navy",
            "division": "Computing",
            "department": "COBOL",
            "manager": {"value": manager},
        },
    }


def _listed(live: Live, filter_: str) -> list[str]:
    answer = live.client.get(
        "/scim/v2/Users", query_string={"filter": filter_}, headers=live.headers()
    )
    assert answer.status_code == 200, answer.get_json()
    return [resource["id"] for resource in answer.get_json()["Resources"]]


def test_a_user_created_with_every_attribute_is_held_by_aws_and_read_back(live: Live) -> None:
    manager = first_user(live)

    created = live.client.post(
        "/scim/v2/Users",
        json=new_user("grace@example.com", "Grace", "Hopper", **_everything(manager)),
        headers=live.headers(),
    )

    assert created.status_code == 201, created.get_json()
    user = created.get_json()["id"]
    held = _described(live, user)
    assert held["Roles"] == [{"Value": "Rear Admiral", "Type": "work", "Primary": True}]
    assert held["Photos"] == [
        {"Value": "https://example.com/grace.png", "Type": "photo", "Primary": True},
        {
            "Value": "https://example.com/grace-small.png",
            "Type": "thumbnail",
            "Display": "small",
            "Primary": False,
        },
    ]
    assert (held["Website"], held["Birthdate"]) == ("https://grace.example.com", "1906-12-09")
    assert held["Extensions"][ENTERPRISE_EXTENSION] == {
        "employeeNumber": "1906",
        "costCenter": "CC-42",
        "organization": "Navy",
        "division": "Computing",
        "department": "COBOL",
        "manager": {"value": manager},
    }
    served = _served(live, user)
    assert served["roles"] == [{"value": "Rear Admiral", "type": "work", "primary": True}]
    assert served["photos"] == [PHOTOS[0], PHOTOS[1] | {"primary": False}]
    assert served[AWS_USER]["website"] == "https://grace.example.com"
    assert served[AWS_USER]["birthdate"] == "1906-12-09"
    enterprise = served[ENTERPRISE_USER]
    assert enterprise["department"] == "COBOL" and enterprise["employeeNumber"] == "1906"
    assert enterprise["manager"]["value"] == manager
    assert enterprise["manager"]["$ref"].endswith(f"/Users/{manager}")
    assert _listed(live, f'{ENTERPRISE_USER}:department eq "cobol"') == [user]
    assert _listed(live, f'{ENTERPRISE_USER}:manager.value eq "{manager}"') == [user]
    assert _listed(live, f'{AWS_USER}:birthdate eq "1906-12-09"') == [user]


def test_patch_sets_and_removes_each_attribute_and_put_replaces_them(live: Live) -> None:
    user, manager = sorted(live.manifest.users.values())[:2]

    patched = live.patch(
        f"Users/{user}",
        {"op": "add", "path": "roles", "value": [{"value": "Auditor"}]},
        {"op": "add", "path": "photos", "value": PHOTOS[:1]},
        {"op": "replace", "path": f"{AWS_USER}:website", "value": "https://a.example.com"},
        {"op": "replace", "path": f"{AWS_USER}:birthdate", "value": "1990-01-31"},
        {"op": "replace", "path": f"{ENTERPRISE_USER}:department", "value": "Audit"},
        {"op": "replace", "path": f"{ENTERPRISE_USER}:manager", "value": {"value": manager}},
    )

    assert patched.status_code == 200, patched.get_json()
    held = _described(live, user)
    assert held["Roles"] == [{"Value": "Auditor", "Primary": False}]
    assert held["Photos"] == [
        {"Value": "https://example.com/grace.png", "Type": "photo", "Primary": True}
    ]
    assert (held["Website"], held["Birthdate"]) == ("https://a.example.com", "1990-01-31")
    assert held["Extensions"][ENTERPRISE_EXTENSION]["department"] == "Audit"
    assert held["Extensions"][ENTERPRISE_EXTENSION]["manager"] == {"value": manager}

    removed = live.patch(
        f"Users/{user}",
        {"op": "remove", "path": "photos"},
        {"op": "remove", "path": f"{ENTERPRISE_USER}:manager"},
    )

    assert removed.status_code == 200, removed.get_json()
    held = _described(live, user)
    assert "Photos" not in held and "manager" not in held["Extensions"][ENTERPRISE_EXTENSION]
    served = _served(live, user)
    assert served.get("photos", []) == [] and served[ENTERPRISE_USER].get("manager") is None
    assert served[ENTERPRISE_USER]["department"] == "Audit"

    document = {k: v for k, v in served.items() if k != "meta"}
    document[AWS_USER] = {"birthdate": "1990-01-31"}
    replaced = live.client.put(f"/scim/v2/Users/{user}", json=document, headers=live.headers())

    assert replaced.status_code == 200, replaced.get_json()
    held = _described(live, user)
    assert "Website" not in held and held["Birthdate"] == "1990-01-31"
    assert held["Roles"] == [{"Value": "Auditor", "Primary": False}]


def test_bad_values_answer_400_naming_them_and_change_nothing(live: Live) -> None:
    user = first_user(live)
    before = _described(live, user)
    bad = [
        ({"op": "add", "path": "photos", "value": [{"value": "grace.png"}]}, "photos[0].value"),
        (
            {"op": "replace", "path": f"{AWS_USER}:birthdate", "value": "9 Dec 1906"},
            f"{AWS_USER}:birthdate '9 Dec 1906'",
        ),
        (
            {"op": "add", "path": "roles", "value": [{"value": "a"}, {"value": "b"}]},
            "roles:",
        ),
        (
            {
                "op": "add",
                "path": "photos",
                "value": [PHOTOS[0], PHOTOS[0] | {"value": "https://x.io/2"}],
            },
            "photos: at most one photo may be primary",
        ),
    ]

    for operation, named in bad:
        answer = live.patch(f"Users/{user}", operation)
        assert answer.status_code == 400, answer.get_json()
        assert answer.get_json()["scimType"] == "invalidValue"
        assert answer.get_json()["detail"].startswith(named)

    assert _described(live, user) == before
    with live.store.reading() as connection:
        assert ledger.list_operations(connection, intent_from_json)[0] == 0


def test_a_dry_run_shows_the_update_user_request_and_changes_nothing(live: Live) -> None:
    user = first_user(live)
    before = _described(live, user)

    answer = live.patch(
        f"Users/{user}",
        {"op": "replace", "path": f"{ENTERPRISE_USER}:costCenter", "value": "CC-9"},
        **{"X-Dry-Run": "true"},
    )

    assert answer.status_code == 200, answer.get_json()
    (step,) = answer.get_json()["steps"]
    (call,) = step["calls"]
    assert call["operation"] == "UpdateUser"
    assert call["parameters"]["Operations"] == [
        {"AttributePath": f"{ENTERPRISE_EXTENSION}.costCenter", "AttributeValue": "CC-9"}
    ]
    assert _described(live, user) == before


def test_a_department_changed_in_aws_changes_the_users_etag_after_a_sync(
    live: Live, store_url: str
) -> None:
    user = first_user(live)
    before = _served(live, user)["meta"]["version"]

    live.aws.identity_store.update_user(
        IdentityStoreId=live.aws.identity_store_id,
        UserId=user,
        Operations=[
            {"AttributePath": f"{ENTERPRISE_EXTENSION}.department", "AttributeValue": "Moved"}
        ],
    )
    settings = simulator_settings(store_url)
    run_sync(settings, live.store, connect(settings))

    served = _served(live, user)
    assert served[ENTERPRISE_USER]["department"] == "Moved"
    assert served["meta"]["version"] != before


def test_a_request_that_fails_later_puts_the_previous_department_back(live: Live) -> None:
    user = first_user(live)
    department = f"{ENTERPRISE_USER}:department"
    assert (
        live.patch(f"Users/{user}", {"op": "add", "path": department, "value": "A"}).status_code
        == 200
    )
    account, arn = free_pair(live, "USER", user)
    behaviour().update(failing_permission_set_arns={arn}, failure_reason="denied by SCP")

    answer = live.patch(
        f"Users/{user}",
        {"op": "replace", "path": department, "value": "B"},
        grant_op(account, arn),
    )

    assert answer.status_code == 502, answer.get_json()
    assert _described(live, user)["Extensions"][ENTERPRISE_EXTENSION]["department"] == "A"
    record = live.operation(answer.headers["X-Operation"].rsplit("/", 1)[-1])
    assert [(s.role, s.intent.kind, s.status) for s in record.steps] == [
        ("do", "update_user", "succeeded"),
        ("do", "grant", "failed"),
        ("undo", "update_user", "succeeded"),
    ]
    assert _served(live, user)[ENTERPRISE_USER]["department"] == "A"
