"""Readiness (GET /ready, no token): whether this instance should get traffic, and if not why.

Ready means the store answers, down to rows of the snapshot served (a
corrupted file can leave the sync history readable while the data is not);
a snapshot is served and is younger than `Settings.max_snapshot_age()`; and
no sync is recorded as running while its process has stopped beating (the
bound the next sync uses to call it dead, `sync_log.STALE_AFTER`). Each
problem is one sentence in `problems`; none carries an error text, which can
name accounts and people: `idc-connector status` and the log have those.

With a change feed the body shows its lag (connector.feed.lag), and it is a
problem when the feed has gone longer than `Settings.feed_max_lag()` without
a good batch, named with what failed in words that name AWS actions only
("AWS denies cloudtrail:LookupEvents (AccessDenied)").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from connector.config import Settings
from connector.feed.lag import FeedLag, feed_lag
from connector.store import leases, snapshots, sync_log
from connector.store import tables as t
from connector.store.leases import Lease
from connector.store.store import Store
from connector.store.sync_log import SyncRecord
from connector.timestamps import rfc3339
from scim.errors import store_unavailable

log = logging.getLogger(__name__)

STORE_UNREADABLE = "the store cannot be read"


@dataclass(frozen=True)
class _Facts:
    served: SyncRecord | None  # the sync whose snapshot is served
    latest: sa.Row[int, str, datetime] | None  # the newest sync: id, outcome, heartbeat
    feed: FeedLag | None = None  # the change feed's lag, with a feed configured
    lease: Lease | None = None  # the sync lease (connector.leadership)


def readiness(
    store: Store, settings: Settings, replica: str | None = None
) -> tuple[dict[str, Any], int]:
    """The /ready body and its status: 200 when ready, 503 with the problems when not.
    `replica` is this replica's name in the sync lease: whether it leads is shown."""
    try:
        with store.reading() as connection:
            facts = _read(connection, settings)
    except Exception as exc:
        if not store_unavailable(exc):
            raise
        log.error("readiness: the store cannot be read", extra={"error": type(exc).__name__})
        return {"ready": False, "problems": [STORE_UNREADABLE]}, 503
    now = datetime.now(UTC)
    problems: list[str] = []
    body: dict[str, Any] = {"ready": False, "problems": problems}
    served = facts.served
    if served is None or served.finished_at is None:
        problems.append("no snapshot is served yet: the first sync has not finished")
    else:
        age = _seconds(now, served.finished_at)
        body["snapshot"] = {
            "sync_id": served.id,
            "finished_at": rfc3339(served.finished_at),
            "age_seconds": round(age, 1),
        }
        bound = settings.max_snapshot_age()
        if age > bound:
            problems.append(
                f"the snapshot served is older than IDCC_READY_MAX_SNAPSHOT_AGE ({bound} s): "
                "the syncs since have failed or not run"
            )
    if facts.latest is not None:
        latest = facts.latest
        body["last_sync"] = {"sync_id": latest.id, "outcome": latest.outcome}
        if latest.outcome == "running":
            silent = _seconds(now, latest.heartbeat_at)
            body["last_sync"]["heartbeat_age_seconds"] = round(silent, 1)
            if silent >= sync_log.STALE_AFTER.total_seconds():
                problems.append(
                    f"sync {latest.id} is recorded as running but has not shown it is alive "
                    f"for {round(silent)} s"
                )
    body["sync_leader"] = _leader_body(facts.lease, replica)
    if facts.feed is not None:
        body["change_feed"] = _feed_body(facts.feed)
        problems.extend(_feed_problems(facts.feed, served.finished_at if served else None))
    body["ready"] = not problems
    return body, 200 if not problems else 503


def _leader_body(lease: Lease | None, replica: str | None) -> dict[str, Any]:
    """Whether this replica leads the syncs, and the lease's term and expiry: not who
    leads: no token is needed here, and the holder's name is a host's."""
    if lease is None or not lease.held:
        return {"this_replica": False, "term": lease.term if lease else None, "held": False}
    return {
        "this_replica": lease.held_by(replica),
        "term": lease.term,
        "held": True,
        "expires_in_seconds": round(lease.expires_in(), 1),
    }


def _feed_body(lagging: FeedLag) -> dict[str, Any]:
    health = lagging.health
    return {
        "source": health.source,
        "lag_seconds": None if lagging.seconds is None else round(lagging.seconds, 1),
        "max_lag_seconds": lagging.bound,
        "behind": lagging.behind,
        "read_up_to": rfc3339(health.read_up_to),
        "last_batch_at": rfc3339(health.polled_at),
        "newest_event_at": rfc3339(health.newest_event_at),
        "failing_since": rfc3339(health.failing_since),
        "failure": health.failure,
    }


def _feed_problems(lagging: FeedLag, served_since: datetime | None) -> list[str]:
    silent = lagging.silent_seconds(served_since)
    if silent is None or silent <= lagging.bound:
        return []
    why = f": {lagging.health.failure}" if lagging.health.failure else ""
    return [
        f"the change feed has not read its source for {round(silent)} s "
        f"(IDCC_CHANGE_MAX_LAG {lagging.bound} s){why}"
    ]


def _read(connection: sa.Connection, settings: Settings) -> _Facts:
    latest = connection.execute(
        sa.select(t.syncs.c.id, t.syncs.c.outcome, t.syncs.c.heartbeat_at)
        .order_by(t.syncs.c.id.desc())
        .limit(1)
    ).first()
    snapshot_id = snapshots.current_snapshot_id(connection)
    feed = feed_lag(connection, settings)
    lease = leases.current(connection, leases.SYNC)
    if snapshot_id is None:
        return _Facts(served=None, latest=latest, feed=feed, lease=lease)
    # A row of each table of the snapshot: the reads of clients fail where these do.
    for table in t.SNAPSHOT_TABLES:
        connection.execute(
            sa.select(table).where(table.c.snapshot_id == snapshot_id).limit(1)
        ).first()
    served = sync_log.last_succeeded_sync(connection)
    return _Facts(served=served, latest=latest, feed=feed, lease=lease)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _seconds(now: datetime, since: datetime) -> float:
    return (now - _aware(since)).total_seconds()
