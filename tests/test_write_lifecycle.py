"""Users and groups created, updated and deleted through POST, PATCH and DELETE.

Each test checks what the Identity Store ends up holding (read with boto3 from
the simulator) and what the client was answered: a deleted user leaves no
assignment behind in AWS, whoever granted it.
"""

from __future__ import annotations

from connector.record_keys import entitlement_id
from tests.live import Live, first_user, free_pair, new_user


def test_user_lifecycle_create_update_delete(live: Live) -> None:
    account, arn = sorted(live.manifest.expected_provisioned_pairs())[0]
    entitlement = entitlement_id(account, arn)
    created = live.client.post(
        "/scim/v2/Users",
        json=new_user(
            "new.joiner@example.com",
            "New",
            "Joiner",
            emails=[{"value": "new.joiner@example.com", "type": "work", "primary": True}],
            entitlements=[{"value": entitlement}],
        ),
        headers=live.headers(),
    )
    assert created.status_code == 201, created.get_json()
    user = created.get_json()["id"]
    assert created.headers["Location"].endswith(f"/Users/{user}")
    store_id = live.aws.identity_store_id
    described = live.aws.identity_store.describe_user(IdentityStoreId=store_id, UserId=user)
    assert described["UserName"] == "new.joiner@example.com"
    assert live.holds(account, arn, "USER", user)

    updated = live.patch(f"Users/{user}", {"op": "replace", "path": "title", "value": "Engineer"})
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["title"] == "Engineer"
    described = live.aws.identity_store.describe_user(IdentityStoreId=store_id, UserId=user)
    assert described["Title"] == "Engineer"

    deleted = live.client.delete(f"/scim/v2/Users/{user}", headers=live.headers())
    assert deleted.status_code == 204
    assert not live.holds(account, arn, "USER", user)
    users = live.aws.identity_store.list_users(IdentityStoreId=store_id)["Users"]
    assert user not in {u["UserId"] for u in users}
    gone = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers())
    assert gone.status_code == 404


def test_a_taken_user_name_answers_409_uniqueness(live: Live) -> None:
    store_id = live.aws.identity_store_id
    existing = live.aws.identity_store.describe_user(
        IdentityStoreId=store_id, UserId=first_user(live)
    )
    answer = live.client.post(
        "/scim/v2/Users",
        json=new_user(existing["UserName"], "Someone", "Else"),
        headers=live.headers(),
    )
    assert answer.status_code == 409
    assert answer.get_json()["scimType"] == "uniqueness"


def test_group_create_and_delete(live: Live) -> None:
    members = sorted(live.manifest.users.values())[:2]
    created = live.client.post(
        "/scim/v2/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Payments On-call",
            "members": [{"value": m} for m in members],
        },
        headers=live.headers(),
    )
    assert created.status_code == 201, created.get_json()
    group = created.get_json()["id"]
    assert {m["value"] for m in created.get_json()["members"]} == set(members)
    store_id = live.aws.identity_store_id
    in_aws = live.aws.identity_store.list_group_memberships(IdentityStoreId=store_id, GroupId=group)
    assert {m["MemberId"]["UserId"] for m in in_aws["GroupMemberships"]} == set(members)
    assert live.client.delete(f"/scim/v2/Groups/{group}", headers=live.headers()).status_code == 204
    groups = live.aws.identity_store.list_groups(IdentityStoreId=store_id)["Groups"]
    assert group not in {g["GroupId"] for g in groups}


def test_deleting_a_user_also_revokes_what_was_granted_outside_the_connector(live: Live) -> None:
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    # Granted in the console after the last sync: the served data does not show it.
    live.grant_in_console(account, arn, "USER", user)
    assert live.holds(account, arn, "USER", user)
    deleted = live.client.delete(f"/scim/v2/Users/{user}", headers=live.headers())
    assert deleted.status_code == 204
    assert not live.holds(account, arn, "USER", user)
    seeded = [(a, p) for a, p, t, i in live.manifest.expected_assignments() if i == user]
    assert not any(live.holds(a, p, "USER", user) for a, p in seeded)
