"""What the store says, as metrics read at each scrape: write operations by status, the
age of the oldest one still open, the served snapshot's age, how far the change feed
has read.

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

from connector.store import feed_state, ledger, sync_log
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
    feed_read_up_to: dict[str, datetime]


class StoreCollector(Collector):
    def __init__(self, store: Store) -> None:
        self._store = store

    def collect(self) -> Iterator[Metric]:
        readable = GaugeMetricFamily(
            "idcc_store_readable", "1 when the store answered this scrape, 0 when it did not."
        )
        try:
            with self._store.reading() as connection:
                facts = _read(connection)
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


def _read(connection: sa.Connection) -> _Facts:
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
        feed_read_up_to=feed_state.cursors(connection),
    )


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
    # The change feed's read position per CloudTrail source (connector.store.feed_state):
    # how long ago it last read each one up to. Not yet the lag from an event to its
    # application, nor anything for the SQS source, which keeps no position.
    read_age = GaugeMetricFamily(
        "idcc_change_feed_read_age_seconds",
        "How long ago the change feed last read each CloudTrail event source up to.",
        labels=["source"],
    )
    for source, position in facts.feed_read_up_to.items():
        read_age.add_metric([source], _age(now, position))
    yield read_age


def _age(now: datetime, since: datetime) -> float:
    return max(0.0, (now - since).total_seconds())
