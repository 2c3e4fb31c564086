"""Last use served over SCIM: `lastUsed` on each effective-access entry and on each
entitlement member, as the seeded sign-ins say, filterable, and kept current by the
change feed without moving any resource's version (docs/api.md, "Last use")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from connector.connection import connect
from connector.feed.sign_in_backfill import backfill
from connector.record_keys import application_entitlement_id, entitlement_id
from connector.records import SignIn
from connector.simulator.cloudtrail.sign_ins import sign_in_now
from connector.simulator.plan import (
    PlannedApplication,
    PlannedApplicationAssignment,
    PlannedMembership,
)
from connector.store import last_use, rendered
from connector.store.snapshots import current_snapshot_id
from connector.store.store import utcnow
from schemas import urns
from scim.rendering import render_snapshot
from tests.feed_support import feed_of
from tests.live import Live, open_live
from tests.simulation import simulator_settings
from tests.test_drift import USED

EFFECTIVE = f"{urns.AWS_USER}:effectiveAccess"


# The drift report's plan of sign-ins (alice's admin on prod used 5 days ago, bob's 40
# and 60 days ago, carol's through ops 100 days ago: beyond CloudTrail's 90 days, so as
# far as anyone can know never; dave's audit never), with alice in ops too (a group
# member used it), erin in nothing, and dave also assigned the wiki application.
PLAN = replace(
    USED,
    memberships=(PlannedMembership("ops", "carol"), PlannedMembership("ops", "alice")),
    applications=(
        PlannedApplication("wiki", "Wiki", "arn:aws:sso::aws:applicationProvider/custom"),
    ),
    application_assignments=(PlannedApplicationAssignment("wiki", "USER", "dave"),),
)


@pytest.fixture
def used(store_url: str, tmp_path: Path) -> Iterator[Live]:
    """PLAN synced, its 90 days of sign-ins read back."""
    for live in open_live(store_url, tmp_path, plan=PLAN):
        backfill(live.store, connect(simulator_settings(store_url)))
        yield live


def _get(live: Live, path: str) -> Any:
    answer = live.client.get(f"/scim/v2/{path}", headers=live.headers())
    assert answer.status_code == 200, answer.get_json()
    return answer


def _effective_access(live: Live, user_id: str) -> list[dict[str, Any]]:
    found = _get(live, f"Users/{user_id}?attributes={EFFECTIVE}").get_json()
    return list(found[urns.AWS_USER].get("effectiveAccess", []))


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _filtered(live: Live, expression: str) -> set[str]:
    found = _get(live, f"Users?count=1000&filter={quote(expression)}").get_json()
    return {r["id"] for r in found["Resources"]}


def _members(live: Live, entitlement: str) -> dict[str, datetime | None]:
    found = _get(live, f"Entitlements/{entitlement}").get_json()
    return {m["value"]: _at(m.get("lastUsed")) for m in found["members"]}


def test_each_effective_access_entry_shows_its_latest_sign_in_or_null(used: Live) -> None:
    m = used.manifest
    expected = m.expected_last_use()
    seen = 0
    for user_id in m.users.values():
        for entry in _effective_access(used, user_id):
            if entry["type"] == "application":
                assert entry.get("lastUsed") is None
                continue
            access = (user_id, entry["accountId"], entry["permissionSetArn"])
            assert _at(entry.get("lastUsed")) == expected[access], (entry, access)
            seen += 1
    # alice twice (direct and ops), bob, carol, dave
    assert seen == 5
    assert {value is None for value in expected.values()} == {True, False}


def test_filters_find_access_used_before_a_time_and_users_who_never_used_any(
    used: Live,
) -> None:
    m = used.manifest
    month_ago = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _filtered(used, f'{EFFECTIVE}.lastUsed lt "{month_ago}"') == {m.users["bob"]}
    assert _filtered(used, f'{EFFECTIVE}.lastUsed gt "{month_ago}"') == {m.users["alice"]}
    assert _filtered(used, f"not ({EFFECTIVE}.lastUsed pr)") == {
        m.users[key] for key in ("carol", "dave", "erin")
    }
    # an access held and never used, whoever holds others
    never = f'{EFFECTIVE}[type eq "permissionSet" and not (lastUsed pr)]'
    assert _filtered(used, never) == {m.users["carol"], m.users["dave"]}


def test_an_entitlement_member_shows_its_last_use_and_a_group_its_members_latest(
    used: Live,
) -> None:
    m = used.manifest
    prod, admin, audit = m.accounts["prod"], m.permission_sets["admin"], m.permission_sets["audit"]
    expected = m.expected_last_use()
    alice = expected[(m.users["alice"], prod, admin)]
    assert alice is not None
    assert _members(used, entitlement_id(prod, admin)) == {
        m.users["alice"]: alice,
        m.users["bob"]: expected[(m.users["bob"], prod, admin)],
        m.groups["ops"]: alice,  # carol's is beyond 90 days: alice's is the latest
    }
    assert _members(used, entitlement_id(prod, audit)) == {m.users["dave"]: None}
    wiki = application_entitlement_id(m.applications["wiki"])
    assert _members(used, wiki) == {m.users["dave"]: None}


def test_entitlement_members_filter_by_last_use(used: Live) -> None:
    m = used.manifest
    prod = m.accounts["prod"]
    month_ago = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    expression = quote(f'members[lastUsed gt "{month_ago}"]')
    found = _get(used, f"Entitlements?filter={expression}").get_json()
    assert {r["id"] for r in found["Resources"]} == {
        entitlement_id(prod, m.permission_sets["admin"])
    }
    expression = quote(f'members[type eq "Group" and lastUsed gt "{month_ago}"]')
    found = _get(used, f"Entitlements?filter={expression}").get_json()
    assert {r["id"] for r in found["Resources"]} == {
        entitlement_id(prod, m.permission_sets["admin"])
    }


def test_a_new_sign_in_shows_after_the_feed_step_without_moving_any_version(
    used: Live,
) -> None:
    m = used.manifest
    dave, prod, audit = m.users["dave"], m.accounts["prod"], m.permission_sets["audit"]
    entitlement = entitlement_id(prod, audit)
    render_snapshot(used.store)
    with used.store.reading() as connection:
        snapshot_id = current_snapshot_id(connection)
        assert snapshot_id is not None
        assert rendered.fetch(connection, snapshot_id, "Entitlement", [entitlement])
    user_before = _get(used, f"Users/{dave}")
    entitlement_before = _get(used, f"Entitlements/{entitlement}")

    event = sign_in_now(
        dave,
        "dave@example.com",
        m.identity_store_arn(),
        prod,
        "Audit",
        region=used.aws.region,
        instance_account_id=m.management_account_id,
    )
    feed, _ = feed_of(used)
    feed.step()

    when = datetime.fromtimestamp(event.event_time, UTC)
    [entry] = [e for e in _effective_access(used, dave) if e["type"] == "permissionSet"]
    assert _at(entry["lastUsed"]) == when
    assert _members(used, entitlement) == {dave: when}
    assert dave in _filtered(used, f'{EFFECTIVE}.lastUsed ge "{entry["lastUsed"]}"')
    # Last use is no part of a resource's version: the weak ETag and lastModified stay.
    for before, path in (
        (user_before, f"Users/{dave}"),
        (entitlement_before, f"Entitlements/{entitlement}"),
    ):
        after = _get(used, path)
        assert after.headers["ETag"] == before.headers["ETag"]
        assert after.headers["ETag"].startswith('W/"')
        last_modified = after.get_json()["meta"]["lastModified"]
        assert last_modified == before.get_json()["meta"]["lastModified"]


@pytest.mark.parametrize("role", ["Audit", "AWSReservedSSO_Audit_0123456789abcdef"])
def test_a_sign_in_recorded_before_its_permission_set_was_known_is_served_and_filtered(
    used: Live, role: str
) -> None:
    m = used.manifest
    dave, prod, audit = m.users["dave"], m.accounts["prod"], m.permission_sets["audit"]
    when = datetime.now(UTC).replace(microsecond=0)
    with used.store.writing() as connection:  # as the feed records it with no snapshot yet
        last_use.record(connection, [SignIn(dave, prod, role, when, "e-raw")], None)
    [entry] = [e for e in _effective_access(used, dave) if e["type"] == "permissionSet"]
    assert _at(entry["lastUsed"]) == when
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _filtered(used, f'{EFFECTIVE}.lastUsed ge "{stamp}"') == {dave}
    assert _members(used, entitlement_id(prod, audit)) == {dave: when}
    expression = quote(f'members[lastUsed ge "{stamp}"]')
    found = _get(used, f"Entitlements?filter={expression}").get_json()
    assert {r["id"] for r in found["Resources"]} == {entitlement_id(prod, audit)}


def test_a_sign_in_recorded_while_a_snapshot_renders_leaves_its_entitlement_unrendered(
    used: Live,
) -> None:
    m = used.manifest
    prod = m.accounts["prod"]
    audit = entitlement_id(prod, m.permission_sets["audit"])
    admin = entitlement_id(prod, m.permission_sets["admin"])
    began = utcnow()
    with used.store.writing() as connection:
        snapshot_id = current_snapshot_id(connection)
        assert snapshot_id is not None
        entitlements = {("Entitlement", audit), ("Entitlement", admin)}
        rendered.forget(connection, snapshot_id, entitlements)
        # built before the sign-in, stored after it
        sign_in = SignIn(m.users["dave"], prod, "Audit", began, "e-rendering")
        last_use.record(connection, [sign_in], snapshot_id)
        built = {audit: '{"built": "before"}', admin: '{"built": "before"}'}
        rendered.store_fresh_documents(connection, snapshot_id, "Entitlement", built, since=began)
        stored = rendered.fetch(connection, snapshot_id, "Entitlement", [audit, admin])
    assert set(stored) == {admin}
    assert _members(used, audit) == {m.users["dave"]: began}


def test_a_malformed_last_use_date_in_a_filter_is_a_scim_400_naming_it(
    used: Live,
) -> None:
    expression = quote(f'{EFFECTIVE}.lastUsed lt "last tuesday"')
    answer = used.client.get(f"/scim/v2/Users?filter={expression}", headers=used.headers())
    body = answer.get_json()
    assert answer.status_code == 400, body
    assert body["scimType"] == "invalidFilter"
    assert "last tuesday" in body["detail"]
