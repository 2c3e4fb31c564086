"""What the change feed has read: a cursor per event source, and the events seen.

CloudTrail delivers late and out of order, so each poll reads again an overlap
before its cursor; the events already applied there are recognised by their
eventID (`unseen`) and not applied twice. Cursors and seen events are written
in one transaction once a batch is applied (`advance`), so a feed killed
half-way reads the batch again after a restart: nothing is lost, and
re-reading AWS for an event already applied changes nothing.

How the feed keeps up is recorded next to it (`polled`, `failed`, `health`):
what it has read up to, its last good batch, the newest event it applied, and
since when and why its batches fail, so that `idc-connector status`, /ready
and the sync process's scheduling (connector.feed.lag) read it from the store.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connector.store import tables as t


def cursor(connection: sa.Connection, source: str) -> datetime | None:
    return connection.execute(
        sa.select(t.feed_cursors.c.position).where(t.feed_cursors.c.source == source)
    ).scalar_one_or_none()


def unseen(connection: sa.Connection, event_ids: Collection[str]) -> set[str]:
    """The ids of `event_ids` not applied before."""
    ids = sorted(set(event_ids))
    seen: set[str] = set()
    for start in range(0, len(ids), 500):
        seen |= set(
            connection.execute(
                sa.select(t.feed_seen_events.c.event_id).where(
                    t.feed_seen_events.c.event_id.in_(ids[start : start + 500])
                )
            ).scalars()
        )
    return set(ids) - seen


def advance(
    connection: sa.Connection,
    positions: Mapping[str, datetime],
    seen: Mapping[str, datetime],
    now: datetime,
    forget_before: datetime | None,
) -> None:
    """Record the sources' new positions and the events applied; forget seen events
    older than any poll will read again."""
    for source, position in positions.items():
        _put(connection, t.feed_cursors, source, position=position, updated_at=now)
    fresh = unseen(connection, seen)
    if fresh:
        connection.execute(
            t.feed_seen_events.insert(),
            [{"event_id": i, "event_time": seen[i], "seen_at": now} for i in sorted(fresh)],
        )
    if forget_before is not None:
        connection.execute(
            t.feed_seen_events.delete().where(t.feed_seen_events.c.event_time < forget_before)
        )


def cursors(connection: sa.Connection) -> dict[str, datetime]:
    """Each CloudTrail event source and the time the feed has read it up to."""
    return {
        row.source: row.position
        for row in connection.execute(
            sa.select(t.feed_cursors.c.source, t.feed_cursors.c.position).order_by(
                t.feed_cursors.c.source
            )
        )
    }


@dataclass(frozen=True)
class FeedHealth:
    """How one feed (cloudtrail | sqs) keeps up, as its last batches left it."""

    source: str
    read_up_to: datetime | None  # every change before this time was read and applied
    polled_at: datetime | None  # when the last batch was read and applied
    newest_event_at: datetime | None  # the newest eventTime applied
    failing_since: datetime | None  # the first failed batch since the last good one
    failure: str | None  # what failed, in words that name AWS actions only


def polled(
    connection: sa.Connection,
    source: str,
    *,
    read_up_to: datetime,
    newest_event_at: datetime | None,
    now: datetime,
) -> None:
    """A batch was read and applied: the feed is current up to `read_up_to`, and no
    longer failing."""
    known = health(connection, source)
    before = known.newest_event_at if known is not None else None
    newest = [d for d in (newest_event_at, before) if d is not None]
    _put(
        connection,
        t.feed_health,
        source,
        read_up_to=read_up_to,
        polled_at=now,
        newest_event_at=max(newest) if newest else None,
        failing_since=None,
        failure=None,
    )


def failed(connection: sa.Connection, source: str, failure: str, now: datetime) -> None:
    """A batch failed: remember since when the feed fails (its first failure) and why."""
    known = health(connection, source)
    since = known.failing_since if known is not None and known.failing_since else now
    _put(connection, t.feed_health, source, failing_since=since, failure=failure[:200])


def health(connection: sa.Connection, source: str) -> FeedHealth | None:
    row = connection.execute(
        sa.select(t.feed_health).where(t.feed_health.c.source == source)
    ).first()
    return FeedHealth(**row._mapping) if row is not None else None


def _put(connection: sa.Connection, table: sa.Table, source: str, **values: Any) -> None:
    """Update the source's row, or insert it: one feed process writes these."""
    updated = connection.execute(table.update().where(table.c.source == source).values(**values))
    if updated.rowcount == 0:
        connection.execute(table.insert().values(source=source, **values))
