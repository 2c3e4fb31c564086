"""What a write changes is served at once, and nothing that read before it hides it.

A sync that read AWS before the write, and a document rendered before it, are
published or stored after it without undoing it; a group's grant shows in its
members' delta aggregation and effective access.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from connector.record_keys import entitlement_id
from connector.store import rendered
from connector.store.snapshots import current_snapshot_id
from connector.writers.replay import replay_writes
from tests.live import Live, first_user, free_pair, grant_op, new_user


def test_a_sync_that_read_aws_before_a_write_does_not_hide_it(live: Live) -> None:
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    entitlement = entitlement_id(account, arn)
    # A sync begins and reads AWS (as it stands before the grant) ...
    sync_id = live.store.begin_sync()
    read_before = live.store.read_snapshot()
    assert read_before is not None
    # ... the grant succeeds meanwhile ...
    granted = live.patch(
        f"Users/{user}", {"op": "add", "path": "entitlements", "value": [{"value": entitlement}]}
    )
    assert granted.status_code == 200
    # ... and the sync publishes what it read.
    live.store.publish(
        sync_id, read_before, aws={}, walk={}, organizations_unavailable=None, replay=replay_writes
    )
    served = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_json()
    assert entitlement in {e["value"] for e in served["entitlements"]}


def test_a_user_created_while_a_sync_ran_is_still_served_after_it_publishes(live: Live) -> None:
    sync_id = live.store.begin_sync()
    read_before = live.store.read_snapshot()
    assert read_before is not None
    created = live.client.post(
        "/scim/v2/Users",
        json=new_user("mid.sync@example.com", "Mid", "Sync"),
        headers=live.headers(),
    )
    assert created.status_code == 201
    user = created.get_json()["id"]
    renamed = live.patch(f"Users/{user}", {"op": "replace", "path": "title", "value": "Analyst"})
    assert renamed.status_code == 200
    live.store.publish(
        sync_id, read_before, aws={}, walk={}, organizations_unavailable=None, replay=replay_writes
    )
    served = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers())
    assert served.status_code == 200
    assert served.get_json()["title"] == "Analyst"


def test_a_document_rendered_before_a_write_is_not_stored_after_it(live: Live) -> None:
    user = first_user(live)
    began = datetime.now(UTC)
    stale = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_data(True)
    renamed = live.patch(f"Users/{user}", {"op": "replace", "path": "title", "value": "Fresh"})
    assert renamed.status_code == 200
    with live.store.engine.begin() as connection:
        snapshot_id = current_snapshot_id(connection)
        assert snapshot_id is not None
        # What a render that read the user before the write would now store:
        rendered.store_fresh_documents(connection, snapshot_id, "User", {user: stale}, since=began)
    served = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers())
    assert served.get_json()["title"] == "Fresh"


AWS_USER = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User"


def test_a_group_grant_shows_in_delta_aggregation_of_its_members(live: Live) -> None:
    memberships = live.manifest.expected_memberships()
    group = max(
        sorted(live.manifest.groups.values()), key=lambda g: sum(m[0] == g for m in memberships)
    )
    members = {u for g, u in memberships if g == group}
    account, arn = free_pair(live, "GROUP", group)
    before = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    granted = live.patch(f"Groups/{group}", grant_op(account, arn))
    assert granted.status_code == 200
    changed = live.client.get(
        "/scim/v2/Users?count=1000&filter=" + quote(f'meta.lastModified gt "{before}"'),
        headers=live.headers(),
    ).get_json()
    assert members and members <= {u["id"] for u in changed["Resources"]}
    some_member = sorted(members)[0]
    access = live.client.get(
        f"/scim/v2/Users/{some_member}?attributes={AWS_USER}:effectiveAccess",
        headers=live.headers(),
    ).get_json()[AWS_USER]["effectiveAccess"]
    assert (entitlement_id(account, arn), group) in {
        (e["value"], e.get("viaGroup")) for e in access
    }
