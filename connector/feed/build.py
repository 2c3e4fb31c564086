"""The change feed IDCC_CHANGE_SOURCE asks for, put together (None: no feed)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from connector.aws import AwsClients
from connector.config import Settings
from connector.connection import connect
from connector.errors import ConfigError
from connector.feed.mapping import GLOBAL_SOURCES, REGIONAL_SOURCES
from connector.feed.runner import ChangeFeed
from connector.feed.sources import CloudTrailSource, SqsSource
from connector.readers.instance import discover_instance
from connector.store.store import Store

# Organizations and Account Management record their events in this region only.
GLOBAL_REGION = "us-east-1"


def build_feed(settings: Settings, store: Store, aws: AwsClients) -> ChangeFeed | None:
    if settings.change_source == "none":
        return None
    instance = discover_instance(aws, settings)
    if settings.change_source == "sqs":
        if not settings.change_queue_url:
            raise ConfigError("IDCC_CHANGE_SOURCE=sqs needs IDCC_CHANGE_QUEUE_URL")
        source: CloudTrailSource | SqsSource = SqsSource(
            aws, settings.change_queue_url, wait_seconds=settings.change_poll_interval
        )
    else:
        global_aws = (
            aws
            if settings.region == GLOBAL_REGION
            else connect(dataclasses.replace(settings, region=GLOBAL_REGION))
        )
        clients = {s: aws for s in REGIONAL_SOURCES} | {s: global_aws for s in GLOBAL_SOURCES}
        source = CloudTrailSource(
            store,
            clients,
            overlap=timedelta(seconds=settings.change_overlap),
            interval=settings.change_poll_interval,
        )
    return ChangeFeed(store, aws, instance, source)
