"""The review export holds one row per (user, entitlement, route), equal to the effective
access of a seeded organisation, over HTTP and on the CLI, in CSV and JSON.

The organisation has direct and group routes to accounts and applications, a
disabled user, a manager, permission sets with each kind of policy, sign-ins
(recent, older, beyond CloudTrail's 90 days) and changes an administrator made
in the console behind the connector's back. The expected rows are worked out
here from the plan and those changes, not from the code under test.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest

from connector.connection import connect
from connector.feed.sign_in_backfill import backfill
from connector.review import export
from connector.simulator.plan import (
    OrganisationPlan,
    PlannedAccount,
    PlannedApplication,
    PlannedApplicationAssignment,
    PlannedAssignment,
    PlannedCustomerManagedPolicy,
    PlannedGroup,
    PlannedMembership,
    PlannedPermissionsBoundary,
    PlannedPermissionSet,
    PlannedSignIn,
    PlannedUser,
)
from connector.sync import run_sync
from connector.tokens import create_token
from tests.feed_support import console, feed_of
from tests.live import Live, grant_op, open_live
from tests.simulation import simulator_settings
from tests.test_cli import run_cli

DAY = 24 * 3600
ADMINISTRATOR = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
CUSTOM = "arn:aws:sso::aws:applicationProvider/custom"


def _user(key: str) -> PlannedUser:
    return PlannedUser(key, f"{key}@example.com", key.title(), key.title(), "Example")


PLAN = OrganisationPlan(
    users=tuple(_user(key) for key in ("alice", "bob", "carol", "dave", "erin", "frank", "gina")),
    groups=(PlannedGroup("ops", "Ops"), PlannedGroup("readers", "Readers")),
    memberships=(
        PlannedMembership("ops", "carol", 365 * DAY),
        PlannedMembership("ops", "dave", 200 * DAY),
        PlannedMembership("readers", "dave"),
    ),
    permission_sets=(
        PlannedPermissionSet(
            "admin",
            "Admin",
            managed_policy_arns=(ADMINISTRATOR,),
            inline_policy='{"Version": "2012-10-17", "Statement": []}',
        ),
        PlannedPermissionSet(
            "audit",
            "Audit",
            customer_managed_policies=(PlannedCustomerManagedPolicy("AuditReader", "/review/"),),
            permissions_boundary=PlannedPermissionsBoundary(managed_policy_arn=READ_ONLY),
        ),
    ),
    accounts=(
        PlannedAccount("prod", "Production", "prod@example.com", ("Workloads", "Prod")),
        PlannedAccount("dev", "Development", "dev@example.com", ("Workloads", "Dev")),
    ),
    assignments=(
        PlannedAssignment("admin", "prod", "USER", "alice"),
        PlannedAssignment("audit", "dev", "USER", "bob"),
        PlannedAssignment("admin", "prod", "GROUP", "ops"),
        PlannedAssignment("audit", "dev", "GROUP", "readers"),
    ),
    applications=(
        PlannedApplication("wiki", "Wiki", CUSTOM),
        PlannedApplication("payroll", "Payroll", f"{CUSTOM}-saml"),
    ),
    application_assignments=(
        PlannedApplicationAssignment("wiki", "USER", "alice"),
        PlannedApplicationAssignment("wiki", "GROUP", "ops"),
        PlannedApplicationAssignment("payroll", "GROUP", "readers"),
    ),
    sign_ins=(
        PlannedSignIn("alice", "prod", "admin", 5 * DAY),
        PlannedSignIn("dave", "prod", "admin", 40 * DAY),
        PlannedSignIn("dave", "prod", "admin", 70 * DAY),
        PlannedSignIn("bob", "dev", "audit", 100 * DAY),  # beyond CloudTrail's 90 days
    ),
)
# What the IGA grants through the connector after the seeding, and what the
# administrator does in the console.
CONNECTOR_ASSIGNMENTS = (PlannedAssignment("admin", "prod", "USER", "erin"),)
CONNECTOR_MEMBERSHIPS = (PlannedMembership("readers", "erin"),)
CONSOLE_ASSIGNMENTS = (PlannedAssignment("audit", "prod", "USER", "frank"),)
CONSOLE_MEMBERSHIPS = (PlannedMembership("readers", "frank"),)
HISTORY_DAYS = 90  # how far back the sign-in back-fill reads
TOKENS = itertools.count()

# (userName, accountId, PermissionSetArn, ApplicationArn, GroupId): one route.
Key = tuple[str, str | None, str | None, str | None, str | None]


@pytest.fixture(scope="module")
def reviewed(store_url_module: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The organisation after the console's changes, synced, its sign-ins back-filled."""
    for live in open_live(store_url_module, tmp_path_factory.mktemp("review"), plan=PLAN):
        m = live.manifest
        for a in CONNECTOR_ASSIGNMENTS:
            granted = live.patch(
                f"Users/{m.users[a.principal_key]}",
                grant_op(m.accounts[a.account_key], m.permission_sets[a.permission_set_key]),
            )
            assert granted.status_code == 200, granted.get_json()
        for joined in CONNECTOR_MEMBERSHIPS:
            added = live.patch(
                f"Groups/{m.groups[joined.group_key]}",
                {"op": "add", "path": "members", "value": [{"value": m.users[joined.user_key]}]},
            )
            assert added.status_code in (200, 204), added.get_json()
        sso, directory = console(live, "sso-admin"), console(live, "identitystore")
        for a in CONSOLE_ASSIGNMENTS:
            sso.create_account_assignment(
                **live.assignment_request(
                    m.accounts[a.account_key],
                    m.permission_sets[a.permission_set_key],
                    "USER",
                    m.users[a.principal_key],
                )
            )
        for joined in CONSOLE_MEMBERSHIPS:
            directory.create_group_membership(
                IdentityStoreId=m.identity_store_id,
                GroupId=m.groups[joined.group_key],
                MemberId={"UserId": m.users[joined.user_key]},
            )
        for user, path, value in (
            ("carol", "userStatus", "DISABLED"),
            ("alice", "aws:identitystore:enterprise.manager.value", m.users["bob"]),
        ):
            directory.update_user(
                IdentityStoreId=m.identity_store_id,
                UserId=m.users[user],
                Operations=[{"AttributePath": path, "AttributeValue": value}],
            )
        feed, _ = feed_of(live)
        feed.step()
        settings = simulator_settings(store_url_module)
        run_sync(settings, live.store, connect(settings))
        backfill(live.store, connect(settings))
        yield live


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of two users, so every export here reads several pages."""
    monkeypatch.setattr(export, "PAGE", 2)


def _expected(live: Live) -> dict[Key, int | None]:
    """Every route of the plan and the changes after it, with the whole days it has been
    unused (None: unknown, as for every application)."""
    m, plan = live.manifest, PLAN
    granted_today = CONNECTOR_ASSIGNMENTS + CONSOLE_ASSIGNMENTS
    assignments = plan.assignments + granted_today
    memberships = plan.memberships + CONNECTOR_MEMBERSHIPS + CONSOLE_MEMBERSHIPS
    made_today = {(a.principal_key, a.account_key, a.permission_set_key) for a in granted_today}
    expected: dict[Key, int | None] = {}

    def unused(user: str, account: str, permission_set: str, held_days: int) -> int:
        uses = [
            s.seconds_ago // DAY
            for s in plan.sign_ins
            if (s.user_key, s.account_key, s.permission_set_key) == (user, account, permission_set)
            and s.seconds_ago < HISTORY_DAYS * DAY
        ]
        return min(uses) if uses else min(held_days, HISTORY_DAYS)

    for user in plan.users:
        routes: list[tuple[str | None, int]] = [(None, HISTORY_DAYS)]  # direct: held unknown
        routes += [
            (j.group_key, j.joined_seconds_ago // DAY)
            for j in memberships
            if j.user_key == user.key
        ]
        for group, held in routes:
            principal = ("GROUP", group) if group else ("USER", user.key)
            group_id = m.groups[group] if group else None
            for a in assignments:
                if (a.principal_type, a.principal_key) == principal:
                    today = (user.key, a.account_key, a.permission_set_key) in made_today
                    key = (
                        user.user_name,
                        m.accounts[a.account_key],
                        m.permission_sets[a.permission_set_key],
                        None,
                        group_id,
                    )
                    expected[key] = unused(
                        user.key, a.account_key, a.permission_set_key, 0 if today else held
                    )
            for app in plan.application_assignments:
                if (app.principal_type, app.principal_key) == principal:
                    key = (
                        user.user_name,
                        None,
                        None,
                        m.applications[app.application_key],
                        group_id,
                    )
                    expected[key] = None
    return expected


def _key(row: dict[str, Any]) -> Key:
    return (
        row["userName"],
        row["accountId"],
        row["permissionSetArn"],
        row["applicationArn"],
        row["groupId"],
    )


def _get(live: Live, query: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return live.client.get(f"/reports/review{query}", headers=headers)


def _json_rows(live: Live, query: str = "") -> list[dict[str, Any]]:
    token = create_token(live.store, f"certifier-{next(TOKENS)}", "read")
    answer = _get(live, f"?format=json{query}", token)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.is_streamed and answer.mimetype == "application/json"
    rows: list[dict[str, Any]] = answer.get_json()["rows"]
    return rows


def _days(row: dict[str, Any]) -> int | None:
    return None if row["daysUnused"] == "unknown" else row["daysUnused"]


def _assert_days(found: dict[Key, int | None], expected: dict[Key, int | None]) -> None:
    """Equal within a day: a day may turn between the seeding and the export."""
    assert found.keys() == expected.keys()
    for key, days in expected.items():
        if days is None:
            assert found[key] is None, key
        else:
            assert found[key] is not None and abs(found[key] - days) <= 1, (key, found[key], days)


def test_the_rows_are_the_effective_access_with_its_routes(reviewed: Live) -> None:
    live, m = reviewed, reviewed.manifest
    rows = _json_rows(live)
    found = {_key(row): _days(row) for row in rows}
    assert len(found) == len(rows)  # one row per route, none twice
    _assert_days(found, _expected(live))

    by_user: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_user.setdefault(row["userName"], []).append(row)
    assert "gina@example.com" not in by_user  # holds nothing
    assert {row["userStatus"] for row in by_user["carol@example.com"]} == {"DISABLED"}
    assert {row["userStatus"] for row in rows if row["userName"] != "carol@example.com"} == {
        "ENABLED"
    }
    assert {(row["managerId"], row["managerUserName"]) for row in by_user["alice@example.com"]} == {
        (m.users["bob"], "bob@example.com")
    }
    assert {row["managerId"] for row in by_user["bob@example.com"]} == {None}

    display_names = {u.user_name: u.display_name for u in PLAN.users}
    for row in rows:
        assert row["displayName"] == display_names[row["userName"]]
        if row["applicationArn"]:
            assert row["entitlementType"] == "application" and row["ou"] is None
            assert row["lastUsed"] == row["grantedThrough"] == row["grantedAt"] == "unknown"
            assert row["applicationName"] in ("Wiki", "Payroll")
        else:
            assert row["entitlementType"] == "account"
            assert (row["accountName"], row["ou"]) in (
                ("Production", "Root/Workloads/Prod"),
                ("Development", "Root/Workloads/Dev"),
            )
        assert row["route"] == ("group" if row["groupId"] else "direct")

    admin = next(r for r in rows if r["permissionSetArn"] == m.permission_sets["admin"])
    assert (admin["permissionSetName"], admin["managedPolicies"], admin["hasInlinePolicy"]) == (
        "Admin",
        ["AdministratorAccess"],
        True,
    )
    assert (admin["customerManagedPolicies"], admin["permissionsBoundary"]) == ([], None)
    audit = next(r for r in rows if r["permissionSetArn"] == m.permission_sets["audit"])
    assert (audit["customerManagedPolicies"], audit["permissionsBoundary"]) == (
        ["/review/AuditReader"],
        READ_ONLY,
    )
    assert (audit["managedPolicies"], audit["hasInlinePolicy"]) == ([], False)


def test_grants_say_who_made_them_and_whether_out_of_band(reviewed: Live) -> None:
    live, m = reviewed, reviewed.manifest
    rows = {_key(row): row for row in _json_rows(live)}
    prod, dev = m.accounts["prod"], m.accounts["dev"]
    audit, admin = m.permission_sets["audit"], m.permission_sets["admin"]

    in_console = rows[("frank@example.com", prod, audit, None, None)]
    assert in_console["grantedThrough"] == "outOfBand"
    assert in_console["grantedBy"].endswith("/alice@example.com")
    assert in_console["grantedAt"].endswith("Z")
    assert (in_console["lastUsed"], in_console["daysUnused"]) == ("never", 0)
    joined = rows[("frank@example.com", dev, audit, None, m.groups["readers"])]
    assert joined["joinedThrough"] == "outOfBand"
    assert joined["joinedBy"].endswith("/alice@example.com")

    through_connector = rows[("erin@example.com", prod, admin, None, None)]
    assert (through_connector["grantedThrough"], through_connector["grantedBy"]) == (
        "connector",
        "iga-writer",
    )
    assert (through_connector["lastUsed"], through_connector["daysUnused"]) == ("never", 0)
    member = rows[("erin@example.com", dev, audit, None, m.groups["readers"])]
    assert (member["joinedThrough"], member["joinedBy"]) == ("connector", "iga-writer")
    assert member["grantedThrough"] == "unknown"  # the group's seeded assignment

    seeded = rows[("alice@example.com", prod, admin, None, None)]
    assert (seeded["grantedThrough"], seeded["grantedAt"], seeded["grantedBy"]) == ("unknown",) * 3
    assert seeded["lastUsed"].endswith("Z") and seeded["joinedThrough"] is None
    seeded_member = rows[("carol@example.com", prod, admin, None, m.groups["ops"])]
    assert seeded_member["joinedThrough"] == "outOfBand"  # the Identity Store's own record
    assert seeded_member["joinedAt"].endswith("Z")
    assert seeded_member["lastUsed"] == "never"
    assert seeded_member["groupName"] == "Ops"


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("account=Production", lambda k, m: k[1] == m.accounts["prod"]),
        ("account={dev}", lambda k, m: k[1] == m.accounts["dev"]),
        ("permissionSet=Audit", lambda k, m: k[2] == m.permission_sets["audit"]),
        ("permissionSet={admin}", lambda k, m: k[2] == m.permission_sets["admin"]),
        ("application=Wiki", lambda k, m: k[3] == m.applications["wiki"]),
        ("application={payroll}", lambda k, m: k[3] == m.applications["payroll"]),
        ("group=Ops", lambda k, m: k[4] == m.groups["ops"]),
        (
            "group={readers}&account=Development",
            lambda k, m: k[4] == m.groups["readers"] and k[1] == m.accounts["dev"],
        ),
        ("account=Nowhere", lambda k, m: False),
        # An OU by name or path takes the accounts beneath it; by id, those in it.
        ("ou=Prod", lambda k, m: k[1] == m.accounts["prod"]),
        ("ou=Workloads", lambda k, m: k[1] is not None),
        ("ou=Root/Workloads", lambda k, m: k[1] is not None),
        ("ou=Root/Workloads/Dev", lambda k, m: k[1] == m.accounts["dev"]),
        ("ou={dev_ou}", lambda k, m: k[1] == m.accounts["dev"]),
        ("ou=Root/Work", lambda k, m: False),
        ("ou=Sandbox", lambda k, m: False),
        (
            "ou=Workloads&permissionSet=Admin",
            lambda k, m: k[1] is not None and k[2] == m.permission_sets["admin"],
        ),
    ],
)
def test_each_filter_returns_exactly_its_rows(reviewed: Live, query: str, keep: Any) -> None:
    live, m = reviewed, reviewed.manifest
    names = {
        "dev": m.accounts["dev"],
        "admin": m.permission_sets["admin"],
        "payroll": m.applications["payroll"],
        "readers": m.groups["readers"],
        "dev_ou": m.organizational_units["Workloads/Dev"],
    }
    rows = _json_rows(live, "&" + query.format(**names))
    expected = {key for key in _expected(live) if keep(key, m)}
    assert {_key(row) for row in rows} == expected
    assert len(rows) == len(expected)


@pytest.mark.parametrize("days", [30, 60])
def test_unused_days_keeps_the_rows_unused_for_at_least_that_long(
    reviewed: Live, days: int
) -> None:
    live = reviewed
    rows = _json_rows(live, f"&unusedDays={days}")
    expected = {
        key: unused
        for key, unused in _expected(live).items()
        if unused is not None and unused >= days
    }
    assert expected  # the plan has some: bob's, carol's, and at 30 days dave's
    _assert_days({_key(row): _days(row) for row in rows}, expected)


def test_csv_holds_the_same_rows_as_json(reviewed: Live) -> None:
    live = reviewed
    token = create_token(live.store, "csv-reader", "read")
    answer = _get(live, "?format=csv&group=Ops", token)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))

    def as_text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, list):
            return "; ".join(value)
        return str(value)

    rows = _json_rows(live, "&group=Ops")
    assert table == [{k: as_text(v) for k, v in row.items()} for row in rows]
    assert len(table) == 4  # carol's and dave's admin and wiki through Ops


def test_the_cli_writes_what_http_serves(reviewed: Live, store_url_module: str) -> None:
    live = reviewed
    token = create_token(live.store, "cli-compare", "read")
    env = {"IDCC_REGION": "us-east-1", "IDCC_DATABASE_URL": store_url_module}
    for output in ("json", "csv"):
        served = _get(live, f"?format={output}&unusedDays=30", token).get_data(as_text=True)
        printed = run_cli("review", "export", "--format", output, "--unused-days", "30", env=env)
        assert printed.returncode == 0, printed.stderr
        if output == "json":
            served_json, printed_json = json.loads(served), json.loads(printed.stdout)
            del served_json["generatedAt"], printed_json["generatedAt"]
            assert printed_json == served_json and served_json["rows"]
        else:
            # RFC 4180 ends lines with CRLF; run_cli reads in text mode, which makes it LF.
            assert printed.stdout == served.replace("\r\n", "\n")


def test_before_any_sync_the_export_is_empty_and_says_so(unsynced: tuple[Any, str]) -> None:
    client, token = unsynced
    answer = client.get("/reports/review?format=json", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["snapshot"] == {"syncId": None, "syncedAt": None} and document["rows"] == []
    assert "back-fill has not run" in document["lastUseUnknownReason"]
    as_csv = client.get("/reports/review", headers={"Authorization": f"Bearer {token}"})
    assert as_csv.get_data(as_text=True).splitlines() == [",".join(document["columns"])]


def test_days_beyond_the_history_read_are_refused_not_guessed(reviewed: Live) -> None:
    live = reviewed
    token = create_token(live.store, "beyond", "read")
    answer = _get(live, "?unusedDays=120", token)
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["scimType"] == "invalidValue" and "'120'" in body["detail"]
    assert "CloudTrail keeps 90 days" in body["detail"]
