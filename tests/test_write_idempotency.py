"""A request retried with its Idempotency-Key is answered as the first was, and done once.

The same key with another body is a conflict (409), not a second write.
"""

from __future__ import annotations

from tests.live import Live, ended, new_user


def test_an_idempotency_key_replays_the_first_answer(live_sqlite: Live) -> None:
    live = live_sqlite
    body = new_user("retry.me@example.com", "Retry", "Me")
    headers = live.headers(**{"Idempotency-Key": "req-1"})
    first = live.client.post("/scim/v2/Users", json=body, headers=headers)
    assert first.status_code in (201, 202), first.get_json()  # 202: a busy machine
    created = ended(live, first)
    assert created.status == "succeeded", created.error
    second = live.client.post("/scim/v2/Users", json=body, headers=headers)
    # The retry is answered as the first request ended: 201 with the same user.
    assert second.status_code == 201, second.get_json()
    assert second.headers["X-Operation"] == first.headers["X-Operation"]
    assert second.get_json()["id"] == created.resource_id
    users = live.aws.identity_store.list_users(IdentityStoreId=live.aws.identity_store_id)["Users"]
    assert [u["UserName"] for u in users].count("retry.me@example.com") == 1
    other = live.client.post("/scim/v2/Users", json=body | {"title": "x"}, headers=headers)
    assert other.status_code == 409


def test_a_retried_delete_with_its_idempotency_key_answers_204_again(live_sqlite: Live) -> None:
    live = live_sqlite
    group = sorted(live.manifest.groups.values())[0]
    headers = live.headers(**{"Idempotency-Key": "leaver-42"})
    first = live.client.delete(f"/scim/v2/Groups/{group}", headers=headers)
    assert first.status_code in (202, 204), first.get_json()  # 202: a busy machine
    assert ended(live, first).status == "succeeded"
    second = live.client.delete(f"/scim/v2/Groups/{group}", headers=headers)
    assert second.status_code == 204
    assert first.headers["X-Operation"] == second.headers["X-Operation"]
