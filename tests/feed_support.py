"""What the change feed's tests share: the console administrator's clients, and the feed
built as the sync process builds it, on the live harness's store and simulated AWS."""

from __future__ import annotations

import threading
from typing import Any

import boto3

from connector.aws import AwsClients
from connector.config import Settings
from connector.connection import connect
from connector.feed.build import build_feed
from connector.feed.runner import BatchReport, ChangeFeed
from connector.simulator.cloudtrail import console_administrator, register_principal
from connector.store.store import Store
from connector.sync_loop import run_syncs
from tests.live import Live
from tests.simulation import simulator_settings

CONSOLE_KEY = "AKIACONSOLEADMIN0001"


def console(live: Live, service: str) -> Any:
    """A client of the administrator who changes AWS behind the connector's back."""
    register_principal(console_administrator(CONSOLE_KEY))
    return boto3.client(
        service,
        region_name=live.aws.region,
        aws_access_key_id=CONSOLE_KEY,
        aws_secret_access_key="console-secret",
    )


def feed_settings(live: Live, **settings: str) -> Settings:
    """The live store's settings with a CloudTrail feed polled every second (override any)."""
    return simulator_settings(
        str(live.store.engine.url),
        **{
            "change_source": "cloudtrail",
            "change_poll_interval": "1s",
            "change_overlap": "5m",
            **settings,
        },
    )


def feed_of(live: Live, **settings: str) -> tuple[ChangeFeed, AwsClients]:
    """The feed, and the AWS clients whose calls it counts."""
    configured = feed_settings(live, **settings)
    aws = connect(configured)
    feed = build_feed(configured, live.store, aws)
    assert feed is not None
    return feed, aws


def sync_loop(settings: Settings, store: Store, stop: threading.Event) -> threading.Thread:
    """The sync process's loop (full syncs, the feed, the back-fill), started in a thread
    that leads as replica "test" until `stop` is set."""
    loop = threading.Thread(
        target=run_syncs,
        args=(settings, store, stop),
        kwargs={
            "loop": True,
            "synced": lambda result: None,
            "ended": lambda *sync: None,
            "replica": "test",
        },
    )
    loop.start()
    return loop


def one_step_calling(live: Live) -> tuple[BatchReport, set[str]]:
    """One step of a new feed, and the AWS operations it called ("service:Operation")."""
    feed, aws = feed_of(live)
    before = dict(aws.stats.calls)
    report = feed.step()
    return report, {key for key, count in aws.stats.calls.items() if count != before.get(key, 0)}
