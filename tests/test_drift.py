"""The drift report lists exactly the drift seeded in AWS, over HTTP and on the CLI.

One organisation is seeded with one or two cases of every kind and nothing
else that is drift; an administrator then changes AWS behind the connector's
back in the console (the change feed sees who did it), a full sync reads the
result, and the report must name each case, no more and no fewer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connector.connection import connect
from connector.feed.sign_in_backfill import backfill
from connector.simulator.plan import (
    OrganisationPlan,
    PlannedAccount,
    PlannedAssignment,
    PlannedGroup,
    PlannedMembership,
    PlannedPair,
    PlannedPermissionSet,
    PlannedSignIn,
    PlannedUser,
)
from connector.sync import run_sync
from connector.tokens import create_token
from tests.feed_support import console, feed_of
from tests.live import Live, open_live
from tests.serving import wait_for
from tests.simulation import simulator_settings
from tests.test_cli import run_cli


def _user(key: str) -> PlannedUser:
    return PlannedUser(key, f"{key}@example.com", key.title(), key.title(), "Example")


PLAN = OrganisationPlan(
    users=tuple(_user(key) for key in ("alice", "bob", "carol", "dave", "erin", "frank")),
    groups=(PlannedGroup("ops", "Ops"), PlannedGroup("readers", "Readers")),
    memberships=(PlannedMembership("ops", "carol"),),
    permission_sets=tuple(
        PlannedPermissionSet(key, key.title()) for key in ("admin", "audit", "billing", "spare")
    ),
    accounts=(
        PlannedAccount("prod", "Production", "prod@example.com"),
        PlannedAccount("old", "Retired", "old@example.com", status="SUSPENDED"),
    ),
    provisioned_pairs=(PlannedPair("spare", "prod"),),
    assignments=(
        PlannedAssignment("admin", "prod", "USER", "alice"),
        PlannedAssignment("billing", "prod", "USER", "alice"),
        PlannedAssignment("admin", "prod", "USER", "bob"),
        PlannedAssignment("admin", "prod", "GROUP", "ops"),
        PlannedAssignment("admin", "prod", "USER", "dave"),
        PlannedAssignment("admin", "old", "USER", "erin"),
    ),
)

Row = tuple[str | None, str | None, str | None, str | None, str | None]


@pytest.fixture
def seeded(store_url: str, tmp_path: Path) -> Iterator[Live]:
    """The organisation as planned, synced."""
    yield from open_live(store_url, tmp_path, plan=PLAN)


@pytest.fixture
def drifted(seeded: Live, store_url: str) -> tuple[Live, str]:
    """The organisation after the console's changes, synced; and the `since` they follow."""
    live = seeded
    since = _next_second()
    m = live.manifest
    sso, directory = console(live, "sso-admin"), console(live, "identitystore")
    sso.create_account_assignment(
        **live.assignment_request(
            m.accounts["prod"], m.permission_sets["audit"], "USER", m.users["frank"]
        )
    )
    sso.put_inline_policy_to_permission_set(
        InstanceArn=m.instance_arn,
        PermissionSetArn=m.permission_sets["billing"],
        InlinePolicy='{"Version": "2012-10-17", "Statement": []}',
    )
    store_id = m.identity_store_id
    directory.create_group_membership(
        IdentityStoreId=store_id,
        GroupId=m.groups["readers"],
        MemberId={"UserId": m.users["frank"]},
    )
    for user in ("bob", "carol"):
        directory.update_user(
            IdentityStoreId=store_id,
            UserId=m.users[user],
            Operations=[{"AttributePath": "userStatus", "AttributeValue": "DISABLED"}],
        )
    directory.delete_user(IdentityStoreId=store_id, UserId=m.users["dave"])
    feed, _ = feed_of(live)
    feed.step()
    settings = simulator_settings(store_url)
    run_sync(settings, live.store, connect(settings))
    return live, since


def _next_second() -> str:
    """The next whole second, once it has come: CloudTrail times changes to the second,
    so the seeding before it and the console's changes after it fall on either side."""
    now = datetime.now(UTC)
    since = now.replace(microsecond=0) + timedelta(seconds=1)
    wait_for(lambda: datetime.now(UTC) >= since or None, timeout=5, what="the next second")
    return since.isoformat().replace("+00:00", "Z")


def _expected(live: Live) -> dict[str, set[Row]]:
    m = live.manifest
    prod, old = m.accounts["prod"], m.accounts["old"]
    admin, frank = m.permission_sets["admin"], m.users["frank"]
    return {
        "outOfBand": {
            ("USER", frank, prod, m.permission_sets["audit"], None),
            ("USER", frank, None, None, m.groups["readers"]),
        },
        "principalGone": {("USER", m.users["dave"], prod, admin, None)},
        "outdatedProvisioning": {(None, None, prod, m.permission_sets["billing"], None)},
        "unassignedProvisioning": {(None, None, prod, m.permission_sets["spare"], None)},
        "inactiveAccount": {("USER", m.users["erin"], old, admin, None)},
        "disabledUser": {
            ("USER", m.users["bob"], prod, admin, None),
            ("USER", m.users["carol"], prod, admin, m.groups["ops"]),
        },
    }


def _found(report: dict[str, Any]) -> dict[str, list[Row]]:
    def part(value: dict[str, Any] | None, key: str = "id") -> str | None:
        return value[key] if value else None

    return {
        kind["kind"]: [
            (
                part(row["principal"], "type"),
                part(row["principal"]),
                part(row["account"]),
                part(row["permissionSet"]),
                part(row["group"]),
            )
            for row in kind["rows"]
        ]
        for kind in report["kinds"]
        if kind["known"]
    }


def _kinds(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {kind["kind"]: kind for kind in report["kinds"]}


def _get(live: Live, query: str, token: str) -> Any:
    return live.client.get(f"/reports/drift{query}", headers={"Authorization": f"Bearer {token}"})


def test_the_report_lists_exactly_the_seeded_drift_over_http(drifted: tuple[Live, str]) -> None:
    live, since = drifted
    token = create_token(live.store, "certifier", "read")
    answer = _get(live, f"?since={since}", token)
    assert answer.status_code == 200, answer.get_json()
    report = answer.get_json()

    found = _found(report)
    expected = _expected(live)
    assert {kind: set(rows) for kind, rows in found.items()} == expected
    assert {kind: len(rows) for kind, rows in found.items()} == {
        kind: len(rows) for kind, rows in expected.items()
    }
    kinds = _kinds(report)
    assert all(kinds[kind]["count"] == len(rows) for kind, rows in expected.items())
    unused = kinds["unusedAccess"]
    assert (unused["known"], unused["count"], unused["rows"]) == (False, None, [])
    assert "last use is not recorded" in unused["unknownReason"]
    assert report["unusedDays"] == 90 and report["since"] == since

    # Who and when, from what the change feed saw in CloudTrail.
    since_time = datetime.fromisoformat(since.replace("Z", "+00:00"))
    for row in kinds["outOfBand"]["rows"]:
        assert row["grantedBy"].endswith("/alice@example.com"), row
        assert datetime.fromisoformat(row["grantedAt"].replace("Z", "+00:00")) >= since_time
    (suspended,) = kinds["inactiveAccount"]["rows"]
    assert suspended["account"]["status"] == "SUSPENDED"
    (gone,) = kinds["principalGone"]["rows"]
    assert gone["principal"]["name"] is None


def test_the_cli_reports_what_http_does(drifted: tuple[Live, str], store_url: str) -> None:
    live, since = drifted
    token = create_token(live.store, "certifier", "read")
    served = _get(live, f"?since={since}&unusedDays=30", token).get_json()
    env = {"IDCC_REGION": "us-east-1", "IDCC_DATABASE_URL": store_url}

    as_json = run_cli("drift", "--since", since, "--unused-days", "30", "--format", "json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    printed = json.loads(as_json.stdout)
    assert {k: v for k, v in printed.items() if k != "generatedAt"} == {
        k: v for k, v in served.items() if k != "generatedAt"
    }

    as_text = run_cli("drift", "--since", since, env=env)
    assert as_text.returncode == 0, as_text.stderr
    for kind in served["kinds"]:
        if kind["known"]:
            assert f"{kind['title']}: {kind['count']}\n" in as_text.stdout
        else:
            assert f"{kind['title']}: unknown (" in as_text.stdout
    rows = [line for line in as_text.stdout.splitlines() if line.startswith("  ")]
    assert len(rows) == sum(kind["count"] or 0 for kind in served["kinds"])


def test_out_of_band_changes_before_since_are_left_out(drifted: tuple[Live, str]) -> None:
    live, _ = drifted
    token = create_token(live.store, "certifier", "read")
    later = datetime.now(UTC) + timedelta(seconds=1)
    answer = _get(live, f"?since={later.isoformat().replace('+00:00', 'Z')}", token)
    assert answer.status_code == 200
    kinds = _kinds(answer.get_json())
    assert kinds["outOfBand"]["count"] == 0
    assert kinds["disabledUser"]["count"] == 2  # the other kinds do not depend on it


def test_the_change_feed_keeps_outdated_provisioning_current_between_syncs(
    seeded: Live,
) -> None:
    live, m = seeded, seeded.manifest
    token = create_token(live.store, "certifier", "read")
    admin = m.permission_sets["admin"]
    target = {"InstanceArn": m.instance_arn, "PermissionSetArn": admin}
    sso = console(live, "sso-admin")
    feed, _ = feed_of(live)
    assert _outdated(live, token) == set()

    sso.attach_managed_policy_to_permission_set(
        **target, ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    feed.step()
    assert _outdated(live, token) == {
        (None, None, m.accounts["prod"], admin, None),
        (None, None, m.accounts["old"], admin, None),
    }

    sso.provision_permission_set(**target, TargetType="AWS_ACCOUNT", TargetId=m.accounts["prod"])
    feed.step()
    assert _outdated(live, token) == {(None, None, m.accounts["old"], admin, None)}


def _outdated(live: Live, token: str) -> set[Row]:
    answer = _get(live, "", token)
    assert answer.status_code == 200, answer.get_json()
    return set(_found(answer.get_json())["outdatedProvisioning"])


def test_before_any_sync_every_kind_is_unknown_not_an_error(unsynced: tuple[Any, str]) -> None:
    client, token = unsynced
    answer = client.get("/reports/drift", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_json()
    report = answer.get_json()
    assert report["snapshot"] == {"syncId": None, "syncedAt": None}
    assert len(report["kinds"]) == 7
    for kind in report["kinds"]:
        assert (kind["known"], kind["count"], kind["rows"]) == (False, None, [])
        assert "no sync has completed yet" in kind["unknownReason"]


DAY = 24 * 3600

# Who used what, and when (seconds before the plan was loaded): alice's admin on
# prod 5 days ago, bob's 40 days ago, carol's (through ops, which she joined a
# year ago) 100 days ago, beyond CloudTrail's 90 days, so as far as anyone can
# know never; dave never used audit; erin joined ops today and never used it.
USED = OrganisationPlan(
    users=tuple(_user(key) for key in ("alice", "bob", "carol", "dave", "erin")),
    groups=(PlannedGroup("ops", "Ops"),),
    memberships=(PlannedMembership("ops", "carol", 365 * DAY), PlannedMembership("ops", "erin")),
    permission_sets=(
        PlannedPermissionSet("admin", "Admin"),
        PlannedPermissionSet("audit", "Audit"),
    ),
    accounts=(PlannedAccount("prod", "Production", "prod@example.com"),),
    assignments=(
        PlannedAssignment("admin", "prod", "USER", "alice"),
        PlannedAssignment("admin", "prod", "USER", "bob"),
        PlannedAssignment("admin", "prod", "GROUP", "ops"),
        PlannedAssignment("audit", "prod", "USER", "dave"),
    ),
    sign_ins=(
        PlannedSignIn("alice", "prod", "admin", 5 * DAY),
        PlannedSignIn("bob", "prod", "admin", 40 * DAY),
        PlannedSignIn("bob", "prod", "admin", 60 * DAY),
        PlannedSignIn("carol", "prod", "admin", 100 * DAY),
    ),
)


@pytest.fixture
def used(store_url: str, tmp_path: Path) -> Iterator[Live]:
    yield from open_live(store_url, tmp_path, plan=USED)


def _unused(live: Live, token: str, days: int) -> dict[str, Any]:
    answer = _get(live, f"?unusedDays={days}", token)
    assert answer.status_code == 200, answer.get_json()
    return _kinds(answer.get_json())["unusedAccess"]


def test_unused_access_is_every_route_not_used_within_the_days_once_last_use_is_read(
    used: Live, store_url: str
) -> None:
    live, m = used, used.manifest
    token = create_token(live.store, "certifier", "read")
    prod, admin, audit = m.accounts["prod"], m.permission_sets["admin"], m.permission_sets["audit"]

    before = _unused(live, token, 30)
    assert (before["known"], before["count"]) == (False, None)
    assert "back-fill has not run" in before["unknownReason"]

    aws = connect(simulator_settings(store_url))
    stopped = backfill(
        live.store, aws, stop=lambda: aws.stats.calls["cloudtrail:LookupEvents"] >= 0
    )
    assert stopped.finished_at is None
    assert "still reading CloudTrail" in _unused(live, token, 30)["unknownReason"]
    backfill(live.store, aws)

    # Granted in the console today: held for less than the days asked, so not unused.
    console(live, "sso-admin").create_account_assignment(
        **live.assignment_request(prod, audit, "USER", m.users["alice"])
    )
    feed, _ = feed_of(live)
    feed.step()

    month = _unused(live, token, 30)
    assert month["known"] is True
    assert set(_found({"kinds": [month]})["unusedAccess"]) == {
        ("USER", m.users["bob"], prod, admin, None),
        ("USER", m.users["carol"], prod, admin, m.groups["ops"]),
        ("USER", m.users["dave"], prod, audit, None),
    }
    assert month["count"] == 3
    bob = next(r for r in month["rows"] if r["principal"]["id"] == m.users["bob"])
    forty_days = datetime.now(UTC) - timedelta(days=40)
    assert abs(datetime.fromisoformat(bob["lastUsed"].replace("Z", "+00:00")) - forty_days) < (
        timedelta(hours=1)
    )
    assert {r["lastUsed"] for r in month["rows"] if r["principal"]["id"] != m.users["bob"]} == {
        None
    }

    two_months = _unused(live, token, 60)
    assert set(_found({"kinds": [two_months]})["unusedAccess"]) == {
        ("USER", m.users["carol"], prod, admin, m.groups["ops"]),
        ("USER", m.users["dave"], prod, audit, None),
    }

    beyond = _unused(live, token, 120)
    assert (beyond["known"], beyond["count"]) == (False, None)
    assert "CloudTrail keeps 90 days" in beyond["unknownReason"]
