"""Before the sign-in back-fill has read CloudTrail's 90 days, the export shows last use
as unknown, never a guess, and refuses to filter on days unused (a module of its own:
tests/test_review_export.py keeps one simulated organisation for the whole module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.connection import connect
from connector.feed.sign_in_backfill import backfill
from connector.tokens import create_token
from tests.live import Live, open_live
from tests.simulation import simulator_settings
from tests.test_review_export import PLAN


@pytest.fixture
def seeded(store_url: str, tmp_path: Path) -> Iterator[Live]:
    yield from open_live(store_url, tmp_path, plan=PLAN)


def test_last_use_is_unknown_while_the_backfill_reads_cloudtrail(
    seeded: Live, store_url: str
) -> None:
    live = seeded
    headers = {"Authorization": f"Bearer {create_token(live.store, 'certifier', 'read')}"}
    aws = connect(simulator_settings(store_url))
    stopped = backfill(
        live.store, aws, stop=lambda: aws.stats.calls["cloudtrail:LookupEvents"] >= 0
    )
    assert stopped.finished_at is None

    answer = live.client.get("/reports/review?format=json", headers=headers)
    assert answer.status_code == 200
    document = answer.get_json()
    assert "still reading CloudTrail" in document["lastUseUnknownReason"]
    assert document["lastUseKnownFrom"] is None
    accounts = [row for row in document["rows"] if row["entitlementType"] == "account"]
    assert accounts
    assert {(row["lastUsed"], row["daysUnused"]) for row in accounts} == {("unknown", "unknown")}

    refused = live.client.get("/reports/review?unusedDays=30", headers=headers)
    assert refused.status_code == 400
    detail = refused.get_json()["detail"]
    assert "'30'" in detail and "still reading CloudTrail" in detail
