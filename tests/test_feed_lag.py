"""The change feed says how far behind AWS it is, and what stops it, where an operator looks.

Its lag and failures are in the store, so `idc-connector status` and /ready
show them; AccessDenied on LookupEvents or ReceiveMessage is named by `check`
and by /ready (AWS actions only: /ready needs no token, and AWS's message names
the caller); a feed behind its bound brings the full sync forward; and AWS
throttling LookupEvents slows the feed without failing it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import settings as moto_settings
from moto.core.authorization import ActionAuthenticatorMixin
from prometheus_client.parser import text_string_to_metric_families

from connector.check import run_check
from connector.cli import main
from connector.config import Settings, settings_to_env
from connector.connection import connect
from connector.feed.build import build_feed
from connector.feed.mapping import GLOBAL_SOURCES, REGIONAL_SOURCES
from connector.simulator import behaviour
from connector.simulator.cloudtrail import create_change_queue
from connector.simulator.throttling import aws_quotas
from connector.store import feed_state
from connector.tokens import create_token
from scim.app import create_app
from tests.feed_support import console, feed_of, feed_settings, sync_loop
from tests.live import Live
from tests.serving import wait_for

DENIED_USER = "feed-reader"


@contextmanager
def denying(live: Live, action: str) -> Iterator[dict[str, str]]:
    """IAM enforced, and the settings of a user allowed everything but `action`."""
    iam = boto3.client("iam", region_name=live.aws.region)
    iam.create_user(UserName=DENIED_USER)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": action, "Resource": "*"},
        ],
    }
    iam.put_user_policy(UserName=DENIED_USER, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=DENIED_USER)["AccessKey"]
    previous = moto_settings.INITIAL_NO_AUTH_ACTION_COUNT
    moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    try:
        yield {
            "aws_access_key_id": key["AccessKeyId"],
            "aws_secret_access_key": key["SecretAccessKey"],
        }
    finally:
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = previous


def _failing(live: Live, source: str = "cloudtrail") -> bool:
    with live.store.reading() as connection:
        health = feed_state.health(connection, source)
    return health is not None and health.failure is not None


def _run_until_it_fails(live: Live, settings: Settings) -> None:
    feed = build_feed(settings, live.store, connect(settings))
    assert feed is not None
    feed.run_until(time.monotonic() + 120, threading.Event(), until=lambda: _failing(live))


def _ready(live: Live, settings: Settings) -> tuple[int, dict[str, Any], str]:
    app = create_app(settings, store=live.store)
    try:
        answer = app.test_client().get("/ready")
        return answer.status_code, answer.get_json(), answer.get_data(as_text=True)
    finally:
        app.extensions["idcc_provisioner"].close()


def _feed_metrics(live: Live, settings: Settings) -> dict[str, float]:
    """The change feed's gauges as /metrics serves them, parsed by prometheus_client."""
    app = create_app(settings, store=live.store)
    try:
        token = create_token(live.store, "feed-metrics", "metrics")
        answer = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        return {
            sample.name: sample.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True))
            for sample in family.samples
            if sample.name.startswith("idcc_change_feed")
        }
    finally:
        app.extensions["idcc_provisioner"].close()


def _status(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> str:
    for key, value in settings_to_env(settings).items():
        monkeypatch.setenv(key, value)
    assert main(["status"]) == 0
    return str(capsys.readouterr().out)


def test_status_and_ready_show_the_feeds_lag_once_it_applied_a_batch(
    live: Live, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = feed_settings(live)
    feed_of(live)[0].step()

    status, body, _ = _ready(live, settings)

    assert status == 200, body
    shown = body["change_feed"]
    assert shown["source"] == "cloudtrail" and shown["behind"] is False
    assert shown["lag_seconds"] < shown["max_lag_seconds"] == 300
    assert shown["last_batch_at"] is not None and shown["failure"] is None
    lines = _status(settings, monkeypatch, capsys)
    assert "change feed  cloudtrail  lag " in lines and "(bound 300 s)" in lines
    assert "behind" not in lines and "failing" not in lines
    gauges = _feed_metrics(live, settings)
    assert 0 <= gauges["idcc_change_feed_lag_seconds"] < 300
    assert gauges["idcc_change_feed_behind"] == 0 and gauges["idcc_change_feed_failing"] == 0


def test_ready_and_status_name_access_denied_on_lookup_events_without_aws_message(
    live: Live, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with denying(live, "cloudtrail:LookupEvents") as key:
        settings = feed_settings(live, change_max_lag="1s", **key)
        _run_until_it_fails(live, settings)

    def not_ready() -> tuple[int, dict[str, Any], str] | None:
        answer = _ready(live, settings)
        return answer if answer[0] == 503 else None

    _, body, text = wait_for(not_ready, timeout=60, what="/ready names the feed's failure")
    [problem] = body["problems"]
    assert re.fullmatch(
        r"the change feed has not read its source for \d+ s \(IDCC_CHANGE_MAX_LAG 1 s\): "
        r"AWS denies cloudtrail:LookupEvents \(AccessDenied\)",
        problem,
    ), problem
    assert body["change_feed"]["failure"] == "AWS denies cloudtrail:LookupEvents (AccessDenied)"
    assert DENIED_USER not in text and live.manifest.management_account_id not in text
    lines = _status(settings, monkeypatch, capsys)
    assert "failing since" in lines
    assert "AWS denies cloudtrail:LookupEvents (AccessDenied)" in lines
    assert "a full sync is scheduled" in lines
    assert _feed_metrics(live, settings)["idcc_change_feed_failing"] == 1


@pytest.mark.parametrize(
    ("source", "action"),
    [("cloudtrail", "cloudtrail:LookupEvents"), ("sqs", "sqs:ReceiveMessage")],
)
def test_check_names_access_denied_on_the_feeds_operations(
    live_sqlite: Live, source: str, action: str
) -> None:
    queue = create_change_queue(
        boto3.client("events", region_name=live_sqlite.aws.region),
        boto3.client("sqs", region_name=live_sqlite.aws.region),
        event_sources=REGIONAL_SOURCES + GLOBAL_SOURCES,
    )
    with denying(live_sqlite, action) as key:
        settings = feed_settings(
            live_sqlite, change_source=source, change_queue_url=queue.queue_url, **key
        )
        report = run_check(connect(settings), settings)

    assert report.missing == [action]
    denied = next(r for r in report.results if r.action == action)
    assert not denied.allowed and not denied.optional and "access denied" in denied.detail


def test_a_feed_behind_its_bound_brings_the_full_sync_forward(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    succeeded = len([s for s in live.store.syncs() if s.outcome == "succeeded"])
    stop = threading.Event()
    with denying(live, "cloudtrail:LookupEvents") as key:
        settings = feed_settings(live, change_max_lag="2s", **key)
        loop = sync_loop(settings, live.store, stop)
        try:
            # The start's sync, then one the feed's lag brought forward (the
            # reconciliation interval is a day).
            wait_for(
                lambda: (
                    len([s for s in live.store.syncs() if s.outcome == "succeeded"])
                    >= succeeded + 2
                ),
                timeout=120,
                what="a full sync runs early for the feed that fell behind",
            )
        finally:
            stop.set()
            loop.join(timeout=120)
    assert "the change feed is behind; a full sync runs now" in caplog.messages


def test_throttled_lookups_slow_the_feed_and_never_fail_it(live: Live) -> None:
    user = sorted(live.manifest.users.values())[0]
    console(live, "identitystore").update_user(
        IdentityStoreId=live.aws.identity_store_id,
        UserId=user,
        Operations=[{"AttributePath": "displayName", "AttributeValue": "Read while throttled"}],
    )
    # Six event sources a poll, paced far above AWS's two lookups a second.
    behaviour().update(quotas=aws_quotas())
    feed, aws = feed_of(live, lookup_events_rps="100")

    report = feed.step()

    assert aws.stats.throttles["cloudtrail:LookupEvents"] > 0
    assert report.changes >= 1
    served = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_json()
    assert served["displayName"] == "Read while throttled"
    assert not _failing(live)
