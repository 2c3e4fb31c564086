"""Last use of every access: the 90-day back-fill of sign-ins from CloudTrail, then the change
feed, kept per (user, account, permission set) as the simulator's seeded activity says."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from connector.aws import AwsClients
from connector.cli import main
from connector.config import settings_to_env
from connector.connection import connect
from connector.feed.mapping import REGIONAL_SOURCES
from connector.feed.sign_in_backfill import backfill
from connector.printed import when
from connector.records import SignIn
from connector.simulator import Manifest, dispatch, load_plan, simulated_aws
from connector.simulator.behaviour import CloudTrailShape, behaviour
from connector.simulator.call_log import install as log_calls
from connector.simulator.cloudtrail import change_event_pattern, create_change_queue
from connector.simulator.cloudtrail.sign_ins import sign_in_now
from connector.simulator.seed import SeedSpec, plan_organisation
from connector.simulator.throttling import aws_quotas
from connector.store import feed_state, last_use, sign_in_backfill
from connector.store.snapshots import current_snapshot_id
from connector.store.store import Store
from connector.sync import run_sync
from tests.feed_support import feed_of, sync_loop
from tests.live import Live
from tests.serving import wait_for
from tests.simulation import simulator_settings

# About 770 accesses, 380 sign-ins within 90 days: eight pages of LookupEvents.
ACTIVE = SeedSpec(60, 8, 120, 6, 6, 60, active_accesses=400)
# About 2,400 accesses, 980 sign-ins within 90 days: twenty pages, longer than a feed's poll.
BUSY = SeedSpec(120, 10, 300, 8, 8, 120, active_accesses=1_000)
HISTORY = timedelta(days=90).total_seconds()


@dataclass
class Seeded:
    manifest: Manifest
    store: Store
    url: str

    def aws(self, **settings: str) -> AwsClients:
        return connect(simulator_settings(self.url, **settings))


@pytest.fixture
def seeded(store_url: str) -> Iterator[Seeded]:
    """The ACTIVE organisation with its sign-ins, synced into the store."""
    with seeded_store(store_url, ACTIVE) as found:
        yield found


@contextmanager
def seeded_store(store_url: str, spec: SeedSpec) -> Iterator[Seeded]:
    with simulated_aws():
        manifest = load_plan(plan_organisation(spec))
        store = Store.open(store_url)
        settings = simulator_settings(store_url)
        run_sync(settings, store, connect(settings))
        try:
            yield Seeded(manifest, store, store_url)
        finally:
            store.close()


def stored(store: Store, manifest: Manifest) -> dict[tuple[str, str, str], datetime | None]:
    expected = manifest.expected_last_use()
    with store.reading() as connection:
        found = last_use.last_used(connection, expected)
    return {access: found.get(access) for access in expected}


def sign_ins_within_history(manifest: Manifest) -> int:
    return sum(s.seconds_ago <= HISTORY for s in manifest.plan.sign_ins)


def test_after_the_backfill_last_use_is_the_latest_seeded_sign_in_or_never(
    seeded: Seeded,
) -> None:
    aws = seeded.aws()
    progress = backfill(seeded.store, aws)
    expected = seeded.manifest.expected_last_use()
    assert progress.finished_at is not None
    assert progress.events == sign_ins_within_history(seeded.manifest)
    assert stored(seeded.store, seeded.manifest) == expected
    # Every kind is there: used, and never used (beyond the history or not at all).
    assert {value is None for value in expected.values()} == {True, False}


def test_the_backfill_resumes_after_a_stop_and_reads_no_page_twice(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = math.ceil(sign_ins_within_history(seeded.manifest) / 50)
    assert pages >= 4
    first = seeded.aws()
    stopped = backfill(
        seeded.store, first, stop=lambda: first.stats.calls["cloudtrail:LookupEvents"] >= 3
    )
    assert stopped.finished_at is None and stopped.pages == 3
    reached = f"read back to {when(stopped.reached)}"
    assert f"last use     back-fill running  {reached}" in status(seeded, monkeypatch, capsys)
    again = seeded.aws()
    done = backfill(seeded.store, again)
    assert done.finished_at is not None and done.pages == pages
    assert again.stats.calls["cloudtrail:LookupEvents"] == pages - 3
    assert stored(seeded.store, seeded.manifest) == seeded.manifest.expected_last_use()
    finished = seeded.aws()
    backfill(seeded.store, finished)  # a finished back-fill never runs again
    assert finished.stats.calls["cloudtrail:LookupEvents"] == 0


def test_the_backfill_stays_under_its_lookup_events_pace(seeded: Seeded, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    log_calls(log)
    try:
        backfill(seeded.store, seeded.aws(lookup_events_rps="2"))
    finally:
        dispatch.remove("call_log")
    times = [
        float(line.split("\t")[0])
        for line in log.read_text().splitlines()
        if line.split("\t")[3] == "LookupEvents"
    ]
    assert len(times) == math.ceil(sign_ins_within_history(seeded.manifest) / 50)
    # At most 2 a second: any three calls in a row span at least a second (50 ms for
    # the time between the pace's slot and the simulator's log line).
    assert min(b - a for a, b in zip(times, times[2:], strict=False)) >= 0.95


def test_at_its_default_pace_the_backfill_is_never_throttled_by_aws_quota(
    seeded: Seeded,
) -> None:
    behaviour().update(quotas=aws_quotas())  # LookupEvents: 2 a second per account and region
    aws = seeded.aws()
    assert backfill(seeded.store, aws).finished_at is not None
    assert aws.stats.calls["cloudtrail:LookupEvents"] >= 8
    assert aws.stats.throttles["cloudtrail:LookupEvents"] == 0


def test_the_latest_sign_in_wins_whatever_the_order_and_duplicates_change_nothing(
    store: Store,
) -> None:
    at = datetime(2026, 11, 1, 12, tzinfo=UTC)
    older = SignIn("u-1", "111111111111", "ReadOnly", at, "e-1")
    newer = SignIn("u-1", "111111111111", "ReadOnly", at + timedelta(days=3), "e-2")
    with store.writing() as connection:
        assert last_use.record(connection, [newer], None) == 1
        assert last_use.record(connection, [older, newer], None) == 0
        rows = connection.execute(last_use.t.last_use.select()).all()
    assert [(r.used_at, r.event_id, r.permission_set_arn) for r in rows] == [
        (newer.used_at, "e-2", None)
    ]


def test_a_provisioned_role_name_resolves_to_its_permission_set(seeded: Seeded) -> None:
    ps = seeded.manifest.plan.permission_sets[0]
    arn = seeded.manifest.permission_sets[ps.key]
    user_id = next(iter(seeded.manifest.users.values()))
    account = next(iter(seeded.manifest.accounts.values()))
    when = datetime.now(UTC).replace(microsecond=0)
    role = f"AWSReservedSSO_{ps.name}_0123456789abcdef"
    with seeded.store.writing() as connection:
        snapshot_id = current_snapshot_id(connection)
        last_use.record(connection, [SignIn(user_id, account, role, when, "e-9")], snapshot_id)
        last_use.record(connection, [SignIn(user_id, account, "Gone", when, "e-10")], snapshot_id)
        found = last_use.last_used(connection, [(user_id, account, arn)])
        raw = connection.execute(
            last_use.t.last_use.select().where(last_use.t.last_use.c.role_name == "Gone")
        ).one()
    assert found == {(user_id, account, arn): when}
    assert raw.permission_set_arn is None  # kept with its raw name


def test_a_name_recorded_before_its_permission_set_was_synced_is_found_later(
    seeded: Seeded,
) -> None:
    ps = seeded.manifest.plan.permission_sets[1]
    access = (
        next(iter(seeded.manifest.users.values())),
        next(iter(seeded.manifest.accounts.values())),
        seeded.manifest.permission_sets[ps.key],
    )
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    with seeded.store.writing() as connection:  # as the feed records it with no snapshot yet
        last_use.record(connection, [SignIn(access[0], access[1], ps.name, when, "e-11")], None)
        assert last_use.last_used(connection, [access]) == {access: when}


def sign_in(live: Live) -> tuple[tuple[str, str, str], datetime]:
    """A user signs in now; the access it used, and when CloudTrail says it did."""
    manifest = live.manifest
    user = manifest.plan.users[0]
    ps = manifest.plan.permission_sets[0]
    account = next(iter(manifest.accounts.values()))
    event = sign_in_now(
        manifest.users[user.key],
        user.user_name,
        manifest.identity_store_arn(),
        account,
        ps.name,
        region=live.aws.region,
        instance_account_id=manifest.management_account_id,
    )
    access = (manifest.users[user.key], account, manifest.permission_sets[ps.key])
    return access, datetime.fromtimestamp(event.event_time, UTC)


def last_used(live: Live, access: tuple[str, str, str]) -> dict[tuple[str, str, str], datetime]:
    with live.store.reading() as connection:
        return last_use.last_used(connection, [access])


@pytest.mark.parametrize("shape", ["before-2025-07-14", "since-2025-07-14"])
def test_a_new_sign_in_reaches_the_store_through_the_cloudtrail_feed(
    live: Live, shape: CloudTrailShape
) -> None:
    behaviour().update(cloudtrail_shape=shape)
    access, when = sign_in(live)
    feed, _ = feed_of(live)
    feed.step()
    assert last_used(live, access) == {access: when}


def test_a_sign_in_reaches_the_store_through_sqs_when_the_rule_takes_read_only_events(
    live: Live,
) -> None:
    sqs = boto3.client("sqs", region_name=live.aws.region)
    events = boto3.client("events", region_name=live.aws.region)
    queue = create_change_queue(events, sqs, event_sources=REGIONAL_SOURCES)
    events.put_rule(
        Name="idc-change-feed",
        EventPattern=json.dumps(change_event_pattern(REGIONAL_SOURCES)),
        State="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    )
    access, when = sign_in(live)
    feed, _ = feed_of(live, change_source="sqs", change_queue_url=queue.queue_url)
    feed.step()
    assert last_used(live, access) == {access: when}


def test_the_sync_leader_backfills_beside_the_feed_and_status_shows_it(
    store_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with seeded_store(store_url, BUSY) as seeded:
        _backfill_beside_the_feed(seeded, monkeypatch, capsys)


def _backfill_beside_the_feed(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = simulator_settings(
        seeded.url,
        change_source="cloudtrail",
        change_poll_interval="1s",
        change_overlap="5m",
        lookup_events_rps="4",
    )
    overlapped: list[bool] = []

    def finished() -> sign_in_backfill.Progress | None:
        """The finished back-fill; meanwhile, whether the feed polled while it ran."""
        with seeded.store.reading() as connection:
            progress = sign_in_backfill.progress(connection)
            health = feed_state.health(connection, "cloudtrail")
        if progress is None or progress.finished_at is not None:
            return progress
        polled = health.polled_at if health is not None else None
        overlapped.append(polled is not None and polled > progress.started_at)
        return None

    stop = threading.Event()
    loop = sync_loop(settings, seeded.store, stop)
    try:
        done = wait_for(finished, timeout=180, what="the sign-in back-fill finishes")
    finally:
        stop.set()
        loop.join(timeout=120)
    assert done.finished_at is not None
    assert any(overlapped)  # the feed polled while the back-fill ran: neither waited
    assert stored(seeded.store, seeded.manifest) == seeded.manifest.expected_last_use()
    finished_line = f"last use     back-fill finished {when(done.finished_at)}"
    assert finished_line in status(seeded, monkeypatch, capsys)


def status(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """What `idc-connector status` prints for the seeded store."""
    for key, value in settings_to_env(simulator_settings(seeded.url)).items():
        monkeypatch.setenv(key, value)
    assert main(["status"]) == 0
    return capsys.readouterr().out


def test_progress_is_none_before_the_backfill_starts(store: Store) -> None:
    with store.reading() as connection:
        assert sign_in_backfill.progress(connection) is None
