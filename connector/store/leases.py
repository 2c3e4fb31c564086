"""Leases: one holder of a role across the replicas on a store, taken over when it stops
renewing.

A lease is a row (`tables.leases`): its holder, its term, and when it expires.
The holder renews it every heartbeat; once it has expired any replica may take
it, which starts a new term. A row rather than a PostgreSQL advisory lock
(docs/operations.md#several-replicas says why): an advisory lock lives as long
as its connection, so a leader whose host vanished keeps it until TCP gives up,
and a leader that hangs keeps it for good; a lease ends at a known time.

Expiry is judged on the store's clock (PostgreSQL's, for every replica), so
replicas whose hosts' clocks disagree still agree on when a lease ends. SQLite
is a file on one host: that host's clock is the store's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from connector.store import tables as t

# The sync process's role: full syncs and the change feed, one at a time for the fleet.
SYNC = "sync"


@dataclass(frozen=True)
class Lease:
    """The lease as the store holds it, read at `now` (the store's clock)."""

    holder: str
    term: int
    acquired_at: datetime
    expires_at: datetime
    now: datetime

    @property
    def held(self) -> bool:
        """Whether a holder still has it: taken once, and not expired."""
        return self.term > 0 and self.expires_at > self.now

    def held_by(self, holder: str | None) -> bool:
        return self.held and holder is not None and self.holder == holder

    def expires_in(self) -> float:
        return (self.expires_at - self.now).total_seconds()


def store_clock(connection: sa.Connection) -> datetime:
    """Now, by the clock every replica shares: the PostgreSQL server's, or this host's."""
    if connection.dialect.name == "postgresql":
        now: datetime = connection.execute(sa.select(sa.func.clock_timestamp())).scalar_one()
        return now
    return datetime.now(UTC)


def claim(connection: sa.Connection, name: str, holder: str, ttl: float) -> int | None:
    """Take the lease when it is free (expired, or never held) or `holder`'s own (a
    restarted process of the same replica); its new term, or None while another holds it.

    Replicas claiming at once queue on the lease's row, and the first to commit
    makes the others' condition false.
    """
    now = _locked_now(connection, name)
    c = t.leases.c
    claimed = connection.execute(
        t.leases.update()
        .where(c.name == name)
        .where(sa.or_(c.expires_at <= now, c.holder == holder))
        .values(holder=holder, term=c.term + 1, acquired_at=now, expires_at=_after(now, ttl))
    )
    if claimed.rowcount != 1:
        return None
    term: int = connection.execute(sa.select(c.term).where(c.name == name)).scalar_one()
    return term


def renew(connection: sa.Connection, name: str, holder: str, term: int, ttl: float) -> bool:
    """Extend the lease `ttl` seconds from now, if `holder` still holds it in `term`."""
    now = _locked_now(connection, name)
    c = t.leases.c
    renewed = connection.execute(
        t.leases.update()
        .where(c.name == name, c.holder == holder, c.term == term)
        .values(expires_at=_after(now, ttl))
    )
    return renewed.rowcount == 1


def release(connection: sa.Connection, name: str, holder: str, term: int) -> None:
    """End the lease now (a holder that stops): another replica takes it at its next try."""
    c = t.leases.c
    connection.execute(
        t.leases.update()
        .where(c.name == name, c.holder == holder, c.term == term)
        .values(expires_at=_locked_now(connection, name))
    )


def holds(connection: sa.Connection, name: str, term: int) -> bool:
    """Whether `term` is still the lease's, locking the row until the transaction ends:
    what a leader writes under it then commits before any new term can begin."""
    current = connection.execute(
        sa.select(t.leases.c.term).where(t.leases.c.name == name).with_for_update()
    ).scalar_one_or_none()
    return current == term


def current(connection: sa.Connection, name: str) -> Lease | None:
    """The lease, or None if no replica ever took it."""
    row = connection.execute(sa.select(t.leases).where(t.leases.c.name == name)).first()
    if row is None or row.term == 0:
        return None
    return Lease(row.holder, row.term, row.acquired_at, row.expires_at, store_clock(connection))


def _locked_now(connection: sa.Connection, name: str) -> datetime:
    """Lock the lease's row, then read the clock: a claim or renewal that queued behind
    a leader's publish (which holds the row, `holds`) judges and sets expiry by the
    time it got the row, not by when it began to wait."""
    connection.execute(
        sa.select(t.leases.c.name).where(t.leases.c.name == name).with_for_update()
    ).first()
    return store_clock(connection)


def _after(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)
