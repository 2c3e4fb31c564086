"""A write the service refuses answers a SCIM error (RFC 7644 §3.12) and changes nothing.

Bad PATCH bodies, an unknown user and a guardrail's refusal: AWS is not called,
holds what it held, and the ledger records no operation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector.record_keys import entitlement_id
from connector.store import ledger
from connector.writers.registry import intent_from_json
from tests.live import PATCH_OP, Live, first_user, free_pair, new_user, open_live


@pytest.mark.parametrize(
    ("body", "status", "scim_type"),
    [
        ({"Operations": [{"op": "add", "path": "title", "value": "x"}]}, 400, "invalidSyntax"),
        ({"schemas": [PATCH_OP], "Operations": []}, 400, "invalidSyntax"),
        (
            {"schemas": [PATCH_OP], "Operations": [{"op": "merge", "value": {}}]},
            400,
            "invalidSyntax",
        ),
        ({"schemas": [PATCH_OP], "Operations": [{"op": "remove"}]}, 400, "noTarget"),
        (
            {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "nope[", "value": 1}]},
            400,
            "invalidPath",
        ),
        (
            {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "groups", "value": []}]},
            400,
            "mutability",
        ),
        (
            {
                "schemas": [PATCH_OP],
                "Operations": [
                    {"op": "add", "path": "entitlements", "value": [{"value": "1.ps-x"}]}
                ],
            },
            400,
            "invalidValue",
        ),
        (
            {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "add", "path": "entitlements", "value": 7}],
            },
            400,
            "invalidValue",
        ),
        (
            {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "path": "userName", "value": 7}],
            },
            400,
            "invalidValue",
        ),
    ],
)
def test_bad_patches_answer_a_scim_400_and_change_nothing(
    live_sqlite: Live, body: dict[str, Any], status: int, scim_type: str
) -> None:
    live = live_sqlite
    user = first_user(live)
    before = live.aws.identity_store.describe_user(
        IdentityStoreId=live.aws.identity_store_id, UserId=user
    )
    before.pop("ResponseMetadata")
    answer = live.client.patch(f"/scim/v2/Users/{user}", json=body, headers=live.headers())
    assert answer.status_code == status, answer.get_json()
    assert answer.get_json()["scimType"] == scim_type
    after = live.aws.identity_store.describe_user(
        IdentityStoreId=live.aws.identity_store_id, UserId=user
    )
    after.pop("ResponseMetadata")
    assert after == before
    assert live.create_calls() == 0
    with live.store.reading() as connection:
        assert ledger.list_operations(connection, intent_from_json)[0] == 0


def test_an_unknown_user_answers_404(live_sqlite: Live) -> None:
    answer = live_sqlite.patch(
        "Users/00000000-0000-0000-0000-000000000000",
        {"op": "replace", "path": "title", "value": "x"},
    )
    assert answer.status_code == 404


def test_a_guardrail_refuses_a_grant_with_403_and_aws_is_not_called(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "guardrails.toml"
    policy.write_text('[[deny_grant]]\nname = "no-grants-anywhere"\nprincipal_types = ["USER"]\n')
    for live in open_live(
        f"sqlite:///{tmp_path}/store.sqlite3", tmp_path, guardrails_file=str(policy)
    ):
        user = first_user(live)
        account, arn = free_pair(live, "USER", user)
        answer = live.patch(
            f"Users/{user}",
            {
                "op": "add",
                "path": "entitlements",
                "value": [{"value": entitlement_id(account, arn)}],
            },
        )
        assert answer.status_code == 403
        assert "no-grants-anywhere" in answer.get_json()["detail"]
        assert live.create_calls() == 0
        assert not live.holds(account, arn, "USER", user)


@pytest.mark.parametrize(
    ("media_type", "named"),
    [
        ("text/plain", "text/plain"),
        ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
        (None, "no media type"),
    ],
)
def test_a_write_body_that_is_not_sent_as_json_is_415_and_changes_nothing(
    live_sqlite: Live, media_type: str | None, named: str
) -> None:
    live = live_sqlite
    user = first_user(live)
    body = json.dumps(new_user("plain.text@example.com", "Plain", "Text"))
    headers = live.headers(**({"Content-Type": media_type} if media_type else {}))
    created = live.client.post("/scim/v2/Users", data=body, headers=headers)
    patch = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "title", "value": "x"}],
    }
    patched = live.client.patch(f"/scim/v2/Users/{user}", data=json.dumps(patch), headers=headers)
    for answer in (created, patched):
        assert answer.status_code == 415, answer.get_json()
        assert answer.mimetype == "application/scim+json"
        detail = answer.get_json()["detail"]
        assert named in detail
        assert "application/scim+json" in detail and "application/json" in detail
    # RFC 5789 §2.2: a refused PATCH says which media types it takes.
    assert patched.headers["Accept-Patch"] == "application/scim+json, application/json"
    users = live.aws.identity_store.list_users(IdentityStoreId=live.aws.identity_store_id)["Users"]
    assert "plain.text@example.com" not in {u["UserName"] for u in users}
    described = live.aws.identity_store.describe_user(
        IdentityStoreId=live.aws.identity_store_id, UserId=user
    )
    assert described.get("Title") != "x"
    with live.store.reading() as connection:
        assert ledger.list_operations(connection, intent_from_json)[0] == 0
