"""What the change feed has read: a cursor per event source, and the events seen.

CloudTrail delivers late and out of order, so each poll reads again an overlap
before its cursor; the events already applied there are recognised by their
eventID (`unseen`) and not applied twice. Cursors and seen events are written
in one transaction once a batch is applied (`advance`), so a feed killed
half-way reads the batch again after a restart: nothing is lost, and
re-reading AWS for an event already applied changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

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
        updated = connection.execute(
            t.feed_cursors.update()
            .where(t.feed_cursors.c.source == source)
            .values(position=position, updated_at=now)
        )
        if updated.rowcount == 0:
            connection.execute(
                t.feed_cursors.insert().values(source=source, position=position, updated_at=now)
            )
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
