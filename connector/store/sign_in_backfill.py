"""How far the 90-day sign-in back-fill has read: one row, saved after every page.

The back-fill (connector.feed.sign_in_backfill) asks LookupEvents for one
fixed window, newest first, page by page. Each page's sign-ins and the
NextToken that follows it are saved in one transaction, so a back-fill
stopped or killed half-way continues after its last saved page: no page
is read twice but the one in flight, and reading that one again is harmless
(the latest sign-in wins).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from connector.store import tables as t

_ROW = 1


@dataclass(frozen=True)
class Progress:
    window_start: datetime
    window_end: datetime
    next_token: str | None  # None with `finished_at` None: the first page is next
    reached: datetime | None  # the oldest sign-in read so far
    pages: int
    events: int
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


def progress(connection: sa.Connection) -> Progress | None:
    """None: the back-fill never started."""
    row = connection.execute(sa.select(t.sign_in_backfill)).first()
    if row is None:
        return None
    return Progress(
        row.window_start,
        row.window_end,
        row.next_token,
        row.reached,
        row.pages,
        row.events,
        row.started_at,
        row.updated_at,
        row.finished_at,
    )


def start(connection: sa.Connection, window_start: datetime, window_end: datetime) -> Progress:
    """Begin the back-fill of [window_start, window_end]."""
    connection.execute(
        t.sign_in_backfill.insert().values(
            id=_ROW,
            window_start=window_start,
            window_end=window_end,
            pages=0,
            events=0,
            started_at=window_end,
            updated_at=window_end,
        )
    )
    found = progress(connection)
    assert found is not None
    return found


def page_read(
    connection: sa.Connection,
    *,
    next_token: str | None,
    reached: datetime | None,
    events: int,
    now: datetime,
) -> None:
    """Record a page read (its sign-ins are recorded in the same transaction); without a
    next token, the back-fill is finished."""
    b = t.sign_in_backfill
    values: dict[str, object] = {
        "next_token": next_token,
        "pages": b.c.pages + 1,
        "events": b.c.events + events,
        "updated_at": now,
        "finished_at": None if next_token else now,
    }
    if reached is not None:  # pages come newest first: each reaches further back
        values["reached"] = reached
    connection.execute(b.update().where(b.c.id == _ROW).values(**values))


def restart_at(connection: sa.Connection, window_end: datetime, now: datetime) -> None:
    """Read on from `window_end` with a new lookup (AWS no longer takes the saved token)."""
    b = t.sign_in_backfill
    connection.execute(
        b.update()
        .where(b.c.id == _ROW)
        .values(window_end=window_end, next_token=None, updated_at=now)
    )
