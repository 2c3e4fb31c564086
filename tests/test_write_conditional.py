"""A console edit made between the plan and the write is never overwritten unseen.

The connector plans a write against the served document, whose user may be
older than AWS's (the console changed it since the last sync). Every update and
delete is sent with the Identity Store Revision it was planned against: without
If-Match the connector reads the user again and sends only what the request
changed; with If-Match it answers 412 and AWS keeps the console's version.
"""

from __future__ import annotations

from typing import Any

from tests.live import Live, first_user


def _console_rename(live: Live, user: str, name: str) -> None:
    """An administrator renames the user in AWS; the served data does not know yet."""
    live.aws.identity_store.update_user(
        IdentityStoreId=live.aws.identity_store_id,
        UserId=user,
        Operations=[{"AttributePath": "displayName", "AttributeValue": name}],
    )


def _described(live: Live, user: str) -> dict[str, Any]:
    described: dict[str, Any] = live.aws.identity_store.describe_user(
        IdentityStoreId=live.aws.identity_store_id, UserId=user
    )
    return described


def _version(live: Live, user: str) -> str:
    answer = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers())
    return str(answer.headers["ETag"])


def _retitle() -> dict[str, Any]:
    return {"op": "replace", "path": "title", "value": "Principal Engineer"}


def test_without_if_match_the_write_is_sent_again_on_the_new_revision(live: Live) -> None:
    user = first_user(live)
    _console_rename(live, user, "Renamed In The Console")

    answer = live.patch(f"Users/{user}", _retitle())

    assert answer.status_code == 200, answer.get_json()
    described = _described(live, user)
    assert described["Title"] == "Principal Engineer"
    assert described["DisplayName"] == "Renamed In The Console"
    assert answer.get_json()["displayName"] == "Renamed In The Console"


def test_with_if_match_a_console_edit_since_answers_412_and_changes_nothing(
    live: Live,
) -> None:
    user = first_user(live)
    version = _version(live, user)
    _console_rename(live, user, "Renamed In The Console")
    before = _described(live, user)

    patched = live.patch(f"Users/{user}", _retitle(), **{"If-Match": version})
    deleted = live.client.delete(
        f"/scim/v2/Users/{user}", headers=live.headers(**{"If-Match": version})
    )

    assert patched.status_code == 412, patched.get_json()
    assert deleted.status_code == 412, deleted.get_json()
    after = _described(live, user)
    assert after["Revision"] == before["Revision"]
    assert "Title" not in after or after["Title"] == before.get("Title")


def test_with_if_match_and_no_change_since_the_write_applies(live: Live) -> None:
    user = first_user(live)

    answer = live.patch(f"Users/{user}", _retitle(), **{"If-Match": _version(live, user)})

    assert answer.status_code == 200, answer.get_json()
    assert _described(live, user)["Title"] == "Principal Engineer"


def test_a_dry_run_shows_the_revision_the_write_is_conditional_on(live: Live) -> None:
    user = first_user(live)
    revision = _described(live, user)["Revision"]

    answer = live.patch(f"Users/{user}", _retitle(), **{"X-Dry-Run": "true"})

    (step,) = answer.get_json()["steps"]
    (call,) = step["calls"]
    assert call["operation"] == "UpdateUser"
    assert call["parameters"]["Revision"] == revision
