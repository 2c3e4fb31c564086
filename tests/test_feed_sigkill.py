"""The change feed killed with SIGKILL half-way through a batch loses nothing and applies
nothing twice once it is restarted.

The simulator runs as its own process (each request answered after 200 ms, as a
round trip to AWS takes), and the feed is a real `idc-connector sync --loop`
process reading CloudTrail or an SQS queue. Changes are made in the console
while the feed is paused (SIGSTOP), so that they reach it as one batch; the
feed logs each target it applies, and is killed once it has applied some of
the batch and has more to go. Restarted, it resumes from its durable cursor
(no full sync), and the store then serves what a fresh full sync of the same
AWS serves, with the resources applied before the kill unchanged since.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import sqlalchemy as sa

from connector.config import Settings, settings_to_env
from connector.connection import connect
from connector.feed.mapping import GLOBAL_SOURCES, REGIONAL_SOURCES
from connector.simulator.cloudtrail import create_change_queue
from connector.simulator.manifest import Manifest
from connector.store import feed_state
from connector.store import tables as t
from connector.store.store import Store
from connector.sync import run_sync
from connector.sync_loop import report_missed_changes
from scim.demo import start_simulator
from tests.served_state import as_a_full_sync_serves, assert_same, served_by_store
from tests.serving import clean_environment, wait_for
from tests.simulation import simulator_settings

CONSOLE_KEY = "AKIACONSOLEADMIN0002"
RENAMED = 8  # users renamed in the console: one batch of eight targets


@dataclass(frozen=True)
class Simulator:
    endpoint: str
    manifest: Manifest

    def client(self, service: str, key: str = CONSOLE_KEY) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key="console-secret",
        )


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    manifest = tmp_path_factory.mktemp("sim") / "manifest.json"
    process, endpoint = start_simulator("tiny", manifest, "--latency-ms", "200")
    try:
        yield Simulator(endpoint, Manifest.load(manifest))
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class FeedProcess:
    """`idc-connector sync --loop` with its JSON log in a file."""

    process: subprocess.Popen[bytes]
    log: Path

    def lines(self, offset: int = 0) -> list[dict[str, Any]]:
        text = self.log.read_bytes()[offset:].decode("utf-8", errors="replace")
        found = []
        for line in text.splitlines():
            try:
                found.append(json.loads(line))
            except ValueError:
                continue  # a line cut where the process was killed
        return found

    def size(self) -> int:
        return self.log.stat().st_size


def start_feed(settings: Settings, log: Path) -> FeedProcess:
    env = clean_environment({**settings_to_env(settings), "IDCC_LOG_FORMAT": "json"})
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "sync", "--loop"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return FeedProcess(process, log)


def feed_settings(simulator: Simulator, url: str, source: str, queue_url: str | None) -> Settings:
    return simulator_settings(
        url,
        aws_endpoint_url=simulator.endpoint,
        change_source=source,
        change_queue_url=queue_url or "",
        change_poll_interval="1s",
        change_overlap="5m",
        lookup_events_rps="100",
    )


def renamed_in_store(store: Store, names: dict[str, str]) -> set[str]:
    """The users whose served displayName is their console name."""
    served = sa.select(t.current_snapshot.c.snapshot_id).scalar_subquery()
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(t.users.c.id, t.users.c.display_name).where(
                t.users.c.id.in_(list(names)), t.users.c.snapshot_id == served
            )
        )
        return {row.id for row in rows if row.display_name == names[row.id]}


def seen_since(store: Store, since: datetime) -> int:
    """The events at or after `since` that the feed recorded as applied."""
    with store.reading() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count())
                .select_from(t.feed_seen_events)
                .where(t.feed_seen_events.c.event_time >= since)
            ).scalar_one()
        )


def versions(store: Store, user_ids: set[str]) -> dict[str, tuple[str, datetime]]:
    """The change record of these users: (digest, meta.lastModified)."""
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(
                t.object_versions.c.object_id,
                t.object_versions.c.content_hash,
                t.object_versions.c.last_modified_at,
            ).where(t.object_versions.c.object_id.in_(sorted(user_ids)))
        )
        return {row.object_id: (row.content_hash, row.last_modified_at) for row in rows}


@pytest.mark.parametrize("source", ["cloudtrail", "sqs"])
def test_a_feed_killed_mid_batch_resumes_losing_nothing_and_applying_nothing_twice(
    simulator: Simulator, store_url: str, tmp_path: Path, source: str
) -> None:
    queue_url = None
    if source == "sqs":
        queue_url = create_change_queue(
            simulator.client("events"),
            simulator.client("sqs"),
            name=f"feed-{uuid.uuid4().hex[:8]}",
            event_sources=REGIONAL_SOURCES + GLOBAL_SOURCES,
            visibility_timeout=3,  # what the killed feed received comes back soon
        ).queue_url
    settings = feed_settings(simulator, store_url, source, queue_url)
    store = Store.open(store_url)
    first = start_feed(settings, tmp_path / "first.log")
    try:
        # Synced, and the feed has applied a batch: it is following the snapshot.
        wait_for(
            lambda: _health(store, source),
            timeout=120,
            what="the first feed process syncs and applies a batch",
        )
        syncs = len(store.syncs())
        first.process.send_signal(signal.SIGSTOP)
        since = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
        identity = simulator.client("identitystore")
        users = sorted(simulator.manifest.users.values())[:RENAMED]
        names = {user: f"Renamed {uuid.uuid4().hex[:6]}" for user in users}
        for user, name in names.items():
            identity.update_user(
                IdentityStoreId=simulator.manifest.identity_store_id,
                UserId=user,
                Operations=[{"AttributePath": "displayName", "AttributeValue": name}],
            )
        offset = first.size()
        first.process.send_signal(signal.SIGCONT)

        def mid_batch() -> bool:
            applied = [
                line
                for line in first.lines(offset)
                if line.get("message") == "change feed target applied"
            ]
            # Three targets or more still to go: 600 ms of AWS calls left at least.
            return any(line["of"] - line["position"] >= 3 for line in applied)

        wait_for(mid_batch, timeout=120, what="the feed applies part of the batch")
        first.process.kill()
        first.process.wait(timeout=30)
    finally:
        if first.process.poll() is None:
            first.process.kill()
            first.process.wait(timeout=30)

    # Killed half-way: some renames are served whose events are not recorded as applied
    # (a batch records its events once all its targets are applied).
    applied_before = renamed_in_store(store, names)
    assert 0 < len(applied_before) < RENAMED, first.lines()[-20:]
    assert seen_since(store, since) < len(applied_before)
    kept = versions(store, applied_before)

    second = start_feed(settings, tmp_path / "second.log")
    try:
        wait_for(
            lambda: (
                renamed_in_store(store, names) == set(names) and seen_since(store, since) >= RENAMED
            ),
            timeout=120,
            what="the restarted feed applies the rest of the batch",
        )
        if queue_url is not None:
            wait_for(
                lambda: _queue_empty(simulator, queue_url),
                timeout=60,
                what="the restarted feed deletes the messages it applied",
            )
        second.process.send_signal(signal.SIGTERM)
        second.process.wait(timeout=60)
    finally:
        if second.process.poll() is None:
            second.process.kill()
            second.process.wait(timeout=30)

    assert len(store.syncs()) == syncs, "the restarted process resumed the feed, not a sync"
    assert versions(store, applied_before) == kept, "applied again: meta.lastModified moved"
    assert_same(
        served_by_store(settings, store),
        as_a_full_sync_serves(
            lambda url: feed_settings(simulator, url, "none", None), tmp_path, knowing=store
        ),
    )
    reconciled = run_sync(settings, store, connect(settings))
    assert report_missed_changes(store, reconciled.sync_id) == []
    store.close()


def _health(store: Store, source: str) -> bool:
    with store.reading() as connection:
        health = feed_state.health(connection, source)
    return health is not None and health.polled_at is not None


def _queue_empty(simulator: Simulator, queue_url: str) -> bool:
    attributes = simulator.client("sqs").get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return all(value == "0" for value in attributes.values())
