"""GET /ready: 200 only while the service has something current to serve and a sync alive.

A load balancer stops sending traffic on a 503, and an operator alerts on it:
a sync that died without a word or a snapshot left to age must show there,
with the reason, but without error texts (the endpoint needs no token).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from connector.config import load_settings
from connector.store import tables as t
from connector.store.sync_log import STALE_AFTER
from scim.app import create_app
from tests.serving import served_app, wait_for
from tests.simulation import Synced, simulator_settings, synced


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Synced]:
    found = synced(f"sqlite:///{tmp_path}/store.sqlite3")
    yield found
    found.store.close()


def ready(found: Synced, **settings: Any) -> requests.Response:
    app = create_app(simulator_settings(found.url, **settings), store=found.store)
    try:
        with served_app(app) as base:
            return requests.get(f"{base}/ready", timeout=30)
    finally:
        app.extensions["idcc_provisioner"].close()


def test_a_fresh_snapshot_and_no_sync_running_is_ready(store: Synced) -> None:
    answer = ready(store)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["ready"] is True
    assert body["problems"] == []
    assert body["last_sync"]["outcome"] == "succeeded"


def test_a_running_sync_that_stopped_beating_is_not_ready(store: Synced) -> None:
    sync_id = store.store.begin_sync()
    beating = ready(store)
    assert beating.status_code == 200, beating.text  # a sync under way is no problem
    assert beating.json()["last_sync"] == {
        "sync_id": sync_id,
        "outcome": "running",
        "heartbeat_age_seconds": pytest.approx(0, abs=30),
    }

    # The process died (killed, host lost) long enough ago for the next sync to
    # call it dead: the row still says running.
    silent_since = datetime.now(UTC) - STALE_AFTER - timedelta(minutes=1)
    with store.store.engine.begin() as connection:
        connection.execute(
            t.syncs.update().where(t.syncs.c.id == sync_id).values(heartbeat_at=silent_since)
        )
    answer = ready(store)
    assert answer.status_code == 503, answer.text
    body = answer.json()
    assert body["ready"] is False
    assert body["last_sync"]["outcome"] == "running"
    assert body["problems"] == [
        f"sync {sync_id} is recorded as running but has not shown it is alive "
        f"for {round(body['last_sync']['heartbeat_age_seconds'])} s"
    ]
    assert body["snapshot"]["sync_id"] < sync_id  # the older snapshot is still served


def test_a_snapshot_older_than_the_bound_is_not_ready(store: Synced) -> None:
    def stale() -> dict[str, Any] | None:
        answer = ready(store, ready_max_snapshot_age="1s")
        return answer.json() if answer.status_code == 503 else None

    body = wait_for(stale, timeout=30, what="/ready says the snapshot is too old")
    assert body["ready"] is False
    assert body["snapshot"]["age_seconds"] > 1
    assert body["problems"] == [
        "the snapshot served is older than IDCC_READY_MAX_SNAPSHOT_AGE (1 s): "
        "the syncs since have failed or not run"
    ]


def test_the_snapshot_age_bound_defaults_to_three_sync_intervals() -> None:
    settings = load_settings({"IDCC_REGION": "us-east-1", "IDCC_SYNC_INTERVAL": "10m"})
    assert settings.max_snapshot_age() == 1800
    pinned = load_settings({"IDCC_REGION": "us-east-1", "IDCC_READY_MAX_SNAPSHOT_AGE": "2h"})
    assert pinned.max_snapshot_age() == 7200
