"""What the store says, as metrics read at each scrape: write operations by status, the
age of the oldest one still open, the served snapshot's age, the change feed's lag.

These are the fleet's state, not a process's: any worker of any replica reads
the same from the one store, so they are read when scraped rather than
counted, and a restarted process loses nothing. A store that cannot answer
makes `idcc_store_readable` 0 and leaves the rest out; the process's own
counters are still served.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from connector.config import Settings
from connector.feed.lag import FeedLag, feed_lag
from connector.store import leases, ledger, sync_log
from connector.store import tables as t
from connector.store.store import Store
from scim.errors import store_unavailable

log = logging.getLogger(__name__)
# Every status a write operation has (connector.store.ledger), shown even at zero.
WRITE_STATUSES = (*ledger.OPEN_STATUSES, "succeeded", "failed")


@dataclass(frozen=True)
class _Facts:
    writes: dict[str, int]
    oldest_open: datetime | None
    snapshot_finished: datetime | None
    feed: FeedLag | None
    leads: bool  # whether this replica holds the sync lease


class StoreCollector(Collector):
    def __init__(self, store: Store, settings: Settings, replica: str | None) -> None:
        self._store = store
        self._settings = settings
        self._replica = replica  # connector.leadership: None outside `serve`

    def collect(self) -> Iterator[Metric]:
        readable = GaugeMetricFamily(
            "idcc_store_readable", "1 when the store answered this scrape, 0 when it did not."
        )
        try:
            with self._store.reading() as connection:
                facts = _read(connection, self._settings, self._replica)
        except Exception as exc:
            if not store_unavailable(exc):
                raise
            log.error("metrics: the store cannot be read", extra={"error": type(exc).__name__})
            readable.add_metric([], 0)
            yield readable
            return
        readable.add_metric([], 1)
        yield readable
        yield from _metrics(facts, datetime.now(UTC))


def _read(connection: sa.Connection, settings: Settings, replica: str | None) -> _Facts:
    op = t.write_operations.c
    writes = dict.fromkeys(WRITE_STATUSES, 0)
    for status, count in connection.execute(
        sa.select(op.status, sa.func.count()).group_by(op.status)
    ).tuples():
        writes[status] = count
    oldest_open = connection.execute(
        sa.select(sa.func.min(op.created_at)).where(op.status.in_(ledger.OPEN_STATUSES))
    ).scalar_one_or_none()
    served = sync_log.last_succeeded_sync(connection)
    return _Facts(
        writes=writes,
        oldest_open=oldest_open,
        snapshot_finished=served.finished_at if served else None,
        feed=feed_lag(connection, settings),
        leads=_leads(connection, replica),
    )


def _leads(connection: sa.Connection, replica: str | None) -> bool:
    lease = leases.current(connection, leases.SYNC)
    return lease is not None and lease.held_by(replica)


def _metrics(facts: _Facts, now: datetime) -> Iterator[Metric]:
    writes = GaugeMetricFamily(
        "idcc_write_operations",
        "Write operations in the ledger, by status (accepted and in_progress are in flight).",
        labels=["status"],
    )
    for status, count in facts.writes.items():
        writes.add_metric([status], count)
    yield writes
    yield GaugeMetricFamily(
        "idcc_write_oldest_open_age_seconds",
        "Age of the oldest write operation still in flight; 0 when none is.",
        value=_age(now, facts.oldest_open) if facts.oldest_open else 0.0,
    )
    if facts.snapshot_finished is not None:
        yield GaugeMetricFamily(
            "idcc_snapshot_age_seconds",
            "Age of the served snapshot: since the last successful full sync ended.",
            value=_age(now, facts.snapshot_finished),
        )
    yield GaugeMetricFamily(
        "idcc_sync_leader",
        "1 while this replica's sync process leads the fleet's syncs (holds the sync lease).",
        value=1.0 if facts.leads else 0.0,
    )
    if facts.feed is not None:
        yield from _feed_metrics(facts.feed)


def _feed_metrics(feed: FeedLag) -> Iterator[Metric]:
    """The change feed's lag as status and /ready show it (connector.feed.lag)."""
    if feed.seconds is not None:
        yield GaugeMetricFamily(
            "idcc_change_feed_lag_seconds",
            "How far behind AWS the served data may be: since the newer of the change "
            "feed's read position and the last full sync's end.",
            value=feed.seconds,
        )
    yield GaugeMetricFamily(
        "idcc_change_feed_behind",
        "1 when the change feed is behind its bound (IDCC_CHANGE_MAX_LAG) and a full "
        "sync is brought forward, else 0.",
        value=float(feed.behind),
    )
    yield GaugeMetricFamily(
        "idcc_change_feed_failing",
        "1 when the change feed's last batch failed (status and /ready say why), else 0.",
        value=float(feed.health.failing_since is not None),
    )


def _age(now: datetime, since: datetime) -> float:
    return max(0.0, (now - since).total_seconds())
