"""The operator page at `/`, as a person sees it in a real browser: Debian's Chromium,
headless, driven by Playwright's Python package (no browser is downloaded: the
tests use /usr/bin/chromium, which `.ci/run` installs).

The browser and its tabs are conftest.py's `browser` and `page` fixtures.
The store holds what the test recorded (a real sync of the simulated Identity
Center, then syncs, writes and a change feed's position written as the
service would): the page must show exactly those. Playwright's `expect` waits
for what it asserts, so nothing here waits a fixed time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from connector.store import feed_state, ledger
from connector.store import tables as t
from connector.tokens import create_token
from scim.app import create_app
from tests.serving import served_app
from tests.simulation import Synced, simulator_settings, synced

# The paces the page measures quota use against (the simulator's settings are unpaced).
PACES = {"sso_admin_rps": 20, "identitystore_rps": 20, "organizations_rps": 10}
FAILED_WRITE_ERROR = "AWS denies sso:CreateAccountAssignment (AccessDenied)"


@dataclass(frozen=True)
class Recorded:
    """What the test put in the store, and the service showing it."""

    url: str
    tokens: dict[str, str]  # scope -> token
    in_flight: list[str]
    failed: str


@pytest.fixture(scope="module")
def organisation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    """The tiny organisation synced once: sync 1, a real one, and the snapshot served."""
    folder = tmp_path_factory.mktemp("operator-page")
    found = synced(f"sqlite:///{folder}/store.sqlite3")
    yield found
    found.store.close()


@pytest.fixture(scope="module")
def recorded(organisation: Synced) -> Iterator[Recorded]:
    store = organisation.store
    now = datetime.now(UTC)
    with store.writing() as connection:
        _sync(connection, now - timedelta(hours=4), 40, "failed", {"sso-admin:ListInstances": 120})
        _sync(
            connection,
            now - timedelta(hours=3),
            100,
            "succeeded",
            {
                "sso-admin:ListAccountAssignments": 1500,
                "identitystore:ListUsers": 800,
                "identitystore:ListGroups": 200,
                "organizations:ListAccounts": 50,
            },
        )
        feed_state.polled(
            connection,
            "cloudtrail",
            read_up_to=now - timedelta(hours=2),
            newest_event_at=None,
            now=now,
        )
        in_flight = [_write(connection, now, "in_progress"), _write(connection, now, "accepted")]
        failed = _write(connection, now, "failed")
    tokens = {scope: create_token(store, f"page-{scope}", scope) for scope in ("read", "metrics")}
    settings = simulator_settings(organisation.url, change_source="cloudtrail", **PACES)
    app = create_app(settings, store=store)
    try:
        with served_app(app) as url:
            yield Recorded(url, tokens, in_flight, failed)
    finally:
        app.extensions["idcc_provisioner"].close()


def _sync(
    connection: Any, ended: datetime, seconds: int, outcome: str, calls: dict[str, int]
) -> None:
    """A sync recorded as the sync process records one (connector.store.sync_log)."""
    connection.execute(
        t.syncs.insert().values(
            started_at=ended - timedelta(seconds=seconds),
            finished_at=ended,
            heartbeat_at=ended,
            outcome=outcome,
            error="AWS throttles sso-admin:ListInstances" if outcome == "failed" else None,
            host="elsewhere",
            pid=1,
            aws={
                "calls": calls,
                "total_calls": sum(calls.values()),
                "http_attempts": sum(calls.values()),
                "throttles": {"sso-admin:ListAccountAssignments": 3},
                "total_throttles": 3,
                "paced_seconds": 0.0,
            },
        )
    )


def _write(connection: Any, now: datetime, status: str) -> str:
    """A write operation as the ledger keeps one, left at `status`."""
    operation_id = str(uuid.uuid4())
    ledger.create_operation(
        connection,
        operation_id=operation_id,
        token_name="iga",
        action="modify",
        resource_type="User",
        resource_id=f"user-{operation_id[:8]}",
        idempotency_key=None,
        request_hash="0" * 64,
        intents=[],
        runner="elsewhere",
        now=now,
    )
    if status == "failed":
        ledger.set_status(connection, operation_id, "failed", now, error=FAILED_WRITE_ERROR)
    elif status != "accepted":
        ledger.set_status(connection, operation_id, status, now)
    return operation_id


def sign_in(page: Page, url: str, token: str) -> None:
    page.goto(f"{url}/")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def test_the_page_needs_no_token_but_its_data_needs_a_read_one(recorded: Recorded) -> None:
    shell = requests.get(f"{recorded.url}/", timeout=30)
    assert shell.status_code == 200
    assert shell.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in shell.headers["Content-Security-Policy"]
    assert requests.get(f"{recorded.url}/operator/assets/page.js", timeout=30).status_code == 200

    def data(token: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(f"{recorded.url}/operator/overview", headers=headers, timeout=30)

    assert data(None).status_code == 401
    assert data(recorded.tokens["metrics"]).status_code == 403
    answer = data(recorded.tokens["read"])
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert "drift" not in answer.json()  # counted on the review page, not here


def test_without_a_token_the_page_asks_for_one_and_shows_nothing(
    page: Page, recorded: Recorded
) -> None:
    page.goto(f"{recorded.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Token")).to_be_visible()
    expect(page.locator("#overview")).to_be_hidden()
    assert requests.get(f"{recorded.url}/operator/overview", timeout=30).status_code == 401


def test_a_token_that_is_not_valid_is_refused_on_the_sign_in_view(
    page: Page, recorded: Recorded
) -> None:
    sign_in(page, recorded.url, "idcc_not-a-token")
    expect(page.get_by_role("alert").filter(has_text="not valid")).to_be_visible()
    expect(page.locator("#overview")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0


def test_a_metrics_token_cannot_read_the_page(page: Page, recorded: Recorded) -> None:
    sign_in(page, recorded.url, recorded.tokens["metrics"])
    expect(page.locator("#sign-in-message")).to_have_text(
        "This token cannot read the page: it needs the read or write scope."
    )
    expect(page.locator("#overview")).to_be_hidden()


def test_the_token_is_kept_for_the_tab_and_never_put_in_an_address(
    page: Page, recorded: Recorded
) -> None:
    token = recorded.tokens["read"]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, recorded.url, token)
    expect(page.locator("#overview")).to_be_visible()
    page.reload()
    expect(page.locator("#overview")).to_be_visible()  # still signed in, not asked again
    assert page.evaluate("Object.values(sessionStorage)") == [token]
    assert requested and not [u for u in requested if token in u]
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Token")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


def test_the_chart_shows_each_recorded_sync_its_duration_calls_and_outcome(
    page: Page, recorded: Recorded
) -> None:
    sign_in(page, recorded.url, recorded.tokens["read"])
    bars = page.locator("#sync-chart .sync-bar")
    expect(bars).to_have_count(3)
    assert [bars.nth(i).get_attribute("data-outcome") for i in range(3)] == [
        "succeeded",
        "failed",
        "succeeded",
    ]
    # The 100 s sync's bar is the tallest, two and a half times the 40 s one.
    first, failed, longest = (bars.nth(i).bounding_box() for i in range(3))
    assert first and failed and longest
    assert longest["height"] == pytest.approx(failed["height"] * 2.5, rel=0.02)
    assert first["height"] < failed["height"]
    expect(bars.nth(2).locator("title")).to_contain_text("succeeded, 1 min 40 s, 2550 AWS calls")
    expect(bars.nth(1).locator("title")).to_contain_text("failed, 40 s, 120 AWS calls")
    points = page.locator("#sync-chart .calls-point")
    expect(points).to_have_count(3)
    expect(points.nth(2)).to_have_attribute("data-calls", "2550")
    newest = page.locator("#syncs tbody tr").first
    expect(newest).to_contain_text("1 min 40 s")
    expect(newest).to_contain_text("2550")
    expect(page.locator("#syncs tbody tr").nth(1)).to_contain_text(
        "AWS throttles sso-admin:ListInstances"
    )


def test_the_page_shows_the_snapshot_age_the_feed_lag_and_links_drift_to_the_review_page(
    page: Page, recorded: Recorded
) -> None:
    sign_in(page, recorded.url, recorded.tokens["read"])
    expect(page.locator("#snapshot-age")).to_have_text("3 h 0 min")
    expect(page.locator("#snapshot-detail")).to_contain_text("sync 3")
    # With a change feed, full syncs run daily: a 3-hour-old snapshot is still current.
    expect(page.locator("#ready")).to_have_text("ready")
    # The feed has read up to 2 h ago, later than the sync's end: it is 2 h behind AWS.
    expect(page.locator("#feed-lag")).to_have_text("2 h 0 min")
    expect(page.locator("#feed-detail")).to_contain_text("cloudtrail")
    expect(page.locator("#feed-detail")).to_contain_text("behind its bound")
    expect(page.locator("#drift")).to_contain_text("Drift")
    expect(page.locator("#drift-figure")).to_have_text("on the review page")
    page.locator("#drift-figure a").click()
    expect(page).to_have_url(f"{recorded.url}/review")


def test_the_page_lists_the_writes_in_flight_and_failed(page: Page, recorded: Recorded) -> None:
    sign_in(page, recorded.url, recorded.tokens["read"])
    expect(page.locator("#writes-in-flight")).to_have_text("2")
    expect(page.locator("#writes-failed")).to_have_text("1")
    in_flight = page.locator("#in-flight tbody tr")
    expect(in_flight).to_have_count(2)
    for operation_id in recorded.in_flight:
        expect(in_flight.filter(has_text=operation_id)).to_have_count(1)
    failed = page.locator("#failed tbody tr")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text(recorded.failed)
    expect(failed).to_contain_text(FAILED_WRITE_ERROR)


def test_quota_use_is_the_latest_syncs_calls_against_each_pace(
    page: Page, recorded: Recorded
) -> None:
    sign_in(page, recorded.url, recorded.tokens["read"])
    expect(page.locator("#quota-basis")).to_contain_text("sync #3 (1 min 40 s)")

    def use(quota: str) -> Any:
        return expect(page.locator(f'#quotas tr[data-quota="{quota}"] td.use'))

    use("sso-admin").to_have_text("75.0 %")  # 1500 calls in 100 s at 20/s
    use("identitystore").to_have_text("40.0 %")  # ListUsers: 800 in 100 s at 20/s each
    use("Organizations").to_have_text("5.0 %")  # 50 in 100 s at 10/s
    use("LookupEvents").to_contain_text("not recorded")  # the feed's calls are not kept
    expect(page.locator('#quotas tr[data-quota="identitystore"]')).to_contain_text("ListUsers")
