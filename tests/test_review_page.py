"""The review page at `/review`, as a person sees it in a real browser: Debian's Chromium,
headless, driven by Playwright's Python package (conftest.py's `browser` and `page`, as
for the operator page: no browser is downloaded).

The organisation is the review export's (tests/test_review_export.py): direct and
group routes to two accounts and to applications, sign-ins recent, older and beyond
CloudTrail's 90 days, a disabled user and changes made in the console, so the drift
report has rows and the export has days unused. What the page shows is compared with
what the JSON endpoints it reads answer for the same snapshot. Playwright's `expect`
waits for what it asserts, so nothing here waits a fixed time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from connector.store.store import Store
from connector.tokens import create_token
from scim.app import create_app
from tests.live import Live
from tests.serving import served_app
from tests.simulation import simulator_settings
from tests.test_review_export import reviewed  # noqa: F401 (fixture)

Cells = list[str]


@dataclass(frozen=True)
class Served:
    url: str
    token: str

    def json(self, path: str) -> Any:
        answer = requests.get(
            f"{self.url}{path}", headers={"Authorization": f"Bearer {self.token}"}, timeout=60
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def served(reviewed: Live) -> Iterator[Served]:  # noqa: F811 (the fixture imported above)
    token = create_token(reviewed.store, "review-page", "read")
    with served_app(reviewed.client.application) as url:
        yield Served(url, token)


def sign_in(page: Page, url: str, token: str) -> None:
    page.goto(f"{url}/review")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#review")).to_be_visible()


def _account(row: dict[str, Any]) -> str:
    return f"{row['accountName']} ({row['accountId']})" if row["accountId"] else ""


def _cells(row: dict[str, Any]) -> Cells:
    """An export row as the table shows it, column by column."""
    route = f"group {row['groupName']}" if row["route"] == "group" else row["route"]
    return [
        row["userName"],
        row["displayName"] or "",
        row["userStatus"],
        _account(row),
        row["permissionSetName"] or "",
        row["applicationName"] or "",
        route,
        row["grantedThrough"],
        row["lastUsed"] or "",
        str(row["daysUnused"]),
    ]


def _shown(page: Page) -> list[Cells]:
    rows = page.locator("#export-rows tbody tr")
    found: list[Cells] = rows.evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    return found


def _column(page: Page, index: int) -> list[str]:
    return [cells[index] for cells in _shown(page)]


def _wait_for_rows(page: Page, count: int) -> None:
    expect(page.locator("#export-count")).to_contain_text(f"{count} ")
    expect(page.locator("#export-rows tbody tr")).to_have_count(count)


def test_without_a_token_the_page_asks_for_one_and_the_reports_answer_401(
    page: Page, served: Served
) -> None:
    shell = requests.get(f"{served.url}/review", timeout=30)
    assert shell.status_code == 200 and shell.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in shell.headers["Content-Security-Policy"]
    assert requests.get(f"{served.url}/review/assets/page.js", timeout=30).status_code == 200
    page.goto(f"{served.url}/review")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#review")).to_be_hidden()
    for path in ("/reports/drift", "/reports/review?format=json"):
        assert requests.get(f"{served.url}{path}", timeout=30).status_code == 401
    page.get_by_label("Token").fill("idcc_not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#sign-in-message")).to_contain_text("not valid")
    expect(page.locator("#review")).to_be_hidden()


def test_the_operator_page_links_to_it_and_one_sign_in_serves_both(
    page: Page, served: Served
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{served.url}/")
    page.get_by_label("Token").fill(served.token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#overview")).to_be_visible()
    page.get_by_role("link", name="Access review").click()
    expect(page).to_have_url(f"{served.url}/review")
    expect(page.locator("#review")).to_be_visible()
    assert requested and not [u for u in requested if served.token in u]


def test_each_drift_kind_shows_the_reports_count_and_its_rows(page: Page, served: Served) -> None:
    report = served.json("/reports/drift")
    sign_in(page, served.url, served.token)
    kinds = report["kinds"]
    assert any(kind["count"] for kind in kinds)  # the organisation has drift to show
    for kind in kinds:
        counted = page.locator(f'#drift-kinds tr[data-kind="{kind["kind"]}"] td.count')
        expect(counted).to_have_text(str(kind["count"]) if kind["known"] else "unknown")
    total = sum(kind["count"] or 0 for kind in kinds)
    expect(page.locator("#drift-rows tbody tr")).to_have_count(total)
    expect(page.locator("#drift-count")).to_have_text(f"{total} drift rows")
    for kind in kinds:
        if not kind["count"]:
            continue
        page.locator("#drift-kind").select_option(kind["kind"])
        expect(page.locator("#drift-rows tbody tr")).to_have_count(kind["count"])
        shown = page.locator("#drift-rows tbody tr td:first-child").all_text_contents()
        assert shown == [kind["title"]] * kind["count"]


def test_a_kind_that_cannot_be_known_shows_as_unknown_with_its_reason(
    page: Page, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    store = Store.open(url)  # no sync yet: every kind is unknown
    token = create_token(store, "review-page", "read")
    app = create_app(simulator_settings(url), store=store)
    try:
        with served_app(app) as served_url:
            sign_in(page, served_url, token)
            rows = page.locator("#drift-kinds tbody tr")
            expect(rows).to_have_count(7)
            expect(page.locator("#drift-kinds td.count")).to_have_text(["unknown"] * 7)
            expect(rows.first.locator("td.reason")).to_contain_text("no sync has completed yet")
            expect(page.locator("#export-count")).to_have_text("0 rows")
    finally:
        app.extensions["idcc_provisioner"].close()
        store.close()


def test_the_export_table_shows_exactly_the_rows_of_the_json_export(
    page: Page, served: Served
) -> None:
    rows = served.json("/reports/review?format=json")["rows"]
    sign_in(page, served.url, served.token)
    _wait_for_rows(page, len(rows))
    expect(page.locator("#export-count")).to_have_text(f"{len(rows)} rows")
    assert Counter(map(tuple, _shown(page))) == Counter(tuple(_cells(row)) for row in rows)


def test_sorting_a_column_reorders_the_rows_as_a_person_sees(page: Page, served: Served) -> None:
    rows = served.json("/reports/review?format=json")["rows"]
    sign_in(page, served.url, served.token)
    _wait_for_rows(page, len(rows))
    days = page.locator("#export-rows thead th").nth(9)
    numbers = sorted(r["daysUnused"] for r in rows if r["daysUnused"] != "unknown")
    unknown = ["unknown"] * sum(r["daysUnused"] == "unknown" for r in rows)
    assert len(set(numbers)) > 2 and unknown  # an order to see

    page.get_by_role("button", name="days unused").click()
    expect(days).to_have_attribute("aria-sort", "ascending")
    assert _column(page, 9) == [str(n) for n in numbers] + unknown  # unknown last

    page.get_by_role("button", name="days unused").click()
    expect(days).to_have_attribute("aria-sort", "descending")
    assert _column(page, 9) == unknown + [str(n) for n in reversed(numbers)]

    page.get_by_role("button", name="user", exact=True).click()
    expect(page.locator("#export-rows thead th").first).to_have_attribute("aria-sort", "ascending")
    assert _column(page, 0) == sorted(r["userName"] for r in rows)


def test_filters_narrow_the_rows_to_those_the_export_filters_to(page: Page, served: Served) -> None:
    everything = served.json("/reports/review?format=json")["rows"]
    development = next(r for r in everything if r["accountName"] == "Development")
    sign_in(page, served.url, served.token)
    _wait_for_rows(page, len(everything))

    def expect_rows(query: str) -> None:
        rows = served.json(f"/reports/review?format=json{query}")["rows"]
        _wait_for_rows(page, len(rows))
        assert Counter(map(tuple, _shown(page))) == Counter(tuple(_cells(r)) for r in rows)
        expect(page.locator("#export-count")).to_have_text(
            f"{len(rows)} of {len(everything)} rows match the filters"
        )

    page.locator("#filter-account").select_option(development["accountId"])
    expect_rows(f"&account={development['accountId']}")
    page.locator("#filter-unused").fill("30")
    expect_rows(f"&account={development['accountId']}&unusedDays=30")
    page.locator("#filter-account").select_option("")
    expect_rows("&unusedDays=30")
    page.locator("#filter-unused").fill("")
    group = next(r for r in everything if r["route"] == "group" and r["applicationArn"])
    page.locator("#filter-group").select_option(group["groupId"])
    page.locator("#filter-application").select_option(group["applicationArn"])
    expect_rows(f"&group={group['groupId']}&application={group['applicationArn']}")

    page.locator("#filter-group").select_option("")
    page.locator("#filter-application").select_option("")
    page.locator("#filter-route").select_option("direct")
    direct = [r for r in everything if r["route"] == "direct"]
    assert 0 < len(direct) < len(everything)
    _wait_for_rows(page, len(direct))
    assert Counter(map(tuple, _shown(page))) == Counter(tuple(_cells(r)) for r in direct)


def test_the_chart_shows_one_bar_per_account_with_its_unused_routes(
    page: Page, served: Served
) -> None:
    rows = served.json("/reports/review?format=json")["rows"]
    sign_in(page, served.url, served.token)

    def expect_bars(days: int) -> None:
        unused: Counter[str] = Counter()
        for row in rows:
            if row["accountId"]:
                unused[_account(row)] += int(
                    row["daysUnused"] != "unknown" and row["daysUnused"] >= days
                )
        assert any(unused.values())  # some access is unused that long
        titles = [
            f"{account}: {count} routes unused for at least {days} days"
            for account, count in sorted(unused.items())
        ]
        expect(page.locator("#unused-chart .unused-bar")).to_have_count(len(unused))
        expect(page.locator("#unused-chart .unused-bar title")).to_have_text(titles)
        labels = page.locator("#unused-chart text.label")
        expect(labels).to_have_text(sorted(unused))

    expect_bars(90)
    page.locator("#filter-unused").fill("30")
    expect_bars(30)
