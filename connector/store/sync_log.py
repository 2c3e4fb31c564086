"""The record of every sync: when, how it ended, what it read and what it cost.

A sync that dies without a word (killed, machine lost) leaves a row saying
"running". The next sync recognises it, by a dead process on this host or a
heartbeat too old on any host, and records it as failed, so the history never
claims a sync is still running when it is not.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from connector.errors import LeadershipLost, SyncInProgressError
from connector.served.served_type import RESOURCE_PREFIX
from connector.store import leases
from connector.store import tables as t

# A sync that has not written a heartbeat (every 30 s) for this long is dead.
# Generous, because a long publish on SQLite holds the writer lock the
# heartbeat also needs.
STALE_AFTER = timedelta(minutes=10)
_SYNC_LOCK = 7_301_984_216


@dataclass(frozen=True)
class SyncRecord:
    id: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    error: str | None
    counts: dict[str, int] | None
    changes: dict[str, dict[str, int]] | None
    aws: dict[str, Any] | None
    walk: dict[str, str] | None
    organizations_unavailable: str | None

    @classmethod
    def from_row(cls, row: sa.Row[Any]) -> SyncRecord:
        return cls(
            id=row.id,
            started_at=row.started_at,
            finished_at=row.finished_at,
            outcome=row.outcome,
            error=row.error,
            counts=row.counts,
            changes=row.changes,
            aws=row.aws,
            walk=row.walk,
            organizations_unavailable=row.organizations_unavailable,
        )


def begin_sync(connection: sa.Connection, now: datetime, term: int | None = None) -> int:
    """Record a new running sync, after settling any that died unrecorded.

    A sync led under `term` (the sync lease's, connector.leadership) starts only
    while that term holds, and settles at once the syncs of earlier terms: their
    leader died or was deposed, and their publish would be refused (`fence`).
    """
    host, pid = socket.gethostname(), os.getpid()
    if connection.dialect.name == "postgresql":
        # Serialise the check-then-insert of concurrent syncs (SQLite's single
        # writer does this by itself).
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SYNC_LOCK})
    if term is not None and not leases.holds(connection, leases.SYNC, term):
        raise LeadershipLost("another replica leads the syncs now; this one does not start")
    for row in connection.execute(sa.select(t.syncs).where(t.syncs.c.outcome == "running")):
        deposed = term is not None and row.leader_term is not None and row.leader_term < term
        if not deposed and _is_alive(row, host, now):
            raise SyncInProgressError(
                f"sync {row.id} is still running (host {row.host}, pid {row.pid}, "
                f"started {row.started_at:%Y-%m-%d %H:%M:%S}); wait for it to finish"
            )
        connection.execute(
            t.syncs.update()
            .where(t.syncs.c.id == row.id)
            .values(
                outcome="failed",
                finished_at=now,
                error="interrupted: the process ended before the sync finished "
                f"(last heartbeat {row.heartbeat_at:%Y-%m-%d %H:%M:%S})",
            )
        )
    result = connection.execute(
        t.syncs.insert().values(
            started_at=now,
            heartbeat_at=now,
            outcome="running",
            host=host,
            pid=pid,
            leader_term=term,
        )
    )
    sync_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    assert isinstance(sync_id, int)
    return sync_id


def _is_alive(row: sa.Row[Any], host: str, now: datetime) -> bool:
    """A running sync is alive while it keeps beating (and, here, its process exists).

    The heartbeat decides on every host: after a container restart the same
    host name and pid can come back for another process, so a live pid alone
    proves nothing. A process known to be gone is dead at once.
    """
    heartbeat = row.heartbeat_at
    if heartbeat.tzinfo is None:
        heartbeat = heartbeat.replace(tzinfo=now.tzinfo)
    if now - heartbeat >= STALE_AFTER:
        return False
    if row.host == host and row.pid != os.getpid():
        try:
            os.kill(row.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return True


def sync_running(connection: sa.Connection, now: datetime) -> bool:
    """Whether a sync is running now (recorded as running, and still beating)."""
    cutoff = now - STALE_AFTER
    found = connection.execute(
        sa.select(t.syncs.c.id)
        .where(t.syncs.c.outcome == "running")
        .where(t.syncs.c.heartbeat_at > cutoff)
        .limit(1)
    ).first()
    return found is not None


def heartbeat(connection: sa.Connection, sync_id: int, now: datetime) -> None:
    connection.execute(t.syncs.update().where(t.syncs.c.id == sync_id).values(heartbeat_at=now))


def finish_sync(connection: sa.Connection, sync_id: int, now: datetime, **values: Any) -> None:
    """Record how a running sync ended; one already settled by another (as interrupted)
    keeps that record, so its times never overlap the sync that settled it."""
    connection.execute(
        t.syncs.update()
        .where(t.syncs.c.id == sync_id, t.syncs.c.outcome == "running")
        .values(finished_at=now, heartbeat_at=now, **values)
    )


def fence(connection: sa.Connection, sync_id: int) -> None:
    """Refuse to publish a led sync whose term has ended: a replica that took the lease
    over may be syncing already, and only its snapshot may become current."""
    term = connection.execute(
        sa.select(t.syncs.c.leader_term).where(t.syncs.c.id == sync_id)
    ).scalar_one()
    if term is not None and not leases.holds(connection, leases.SYNC, term):
        raise LeadershipLost(
            f"sync {sync_id} is not published: another replica took the sync leadership over"
        )


def list_syncs(connection: sa.Connection, limit: int = 20) -> list[SyncRecord]:
    rows = connection.execute(sa.select(t.syncs).order_by(t.syncs.c.id.desc()).limit(limit))
    return [SyncRecord.from_row(row) for row in rows]


def last_finished_at(connection: sa.Connection) -> datetime | None:
    """When the latest sync that is no longer running ended, whatever its outcome."""
    ended_at: datetime | None = connection.execute(
        sa.select(t.syncs.c.finished_at)
        .where(t.syncs.c.outcome != "running")
        .order_by(t.syncs.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return ended_at


def last_succeeded_sync(connection: sa.Connection) -> SyncRecord | None:
    row = connection.execute(
        sa.select(t.syncs)
        .where(t.syncs.c.outcome == "succeeded")
        .order_by(t.syncs.c.id.desc())
        .limit(1)
    ).one_or_none()
    return SyncRecord.from_row(row) if row else None


def served_changes(connection: sa.Connection, sync_id: int) -> list[tuple[str, str, str]]:
    """(served resource type, id, added | changed | removed) of what a sync found
    changed in what the service serves.

    Writes and the change feed record each served resource's digest as they
    change it, as the sync computes it; so while a change feed runs, what a
    full sync still finds changed is what the feed missed (a lost event, or a
    bug): the reconciliation's missed changes.
    """
    prefix = RESOURCE_PREFIX
    rows = connection.execute(
        sa.select(
            t.object_changes.c.object_type, t.object_changes.c.object_id, t.object_changes.c.change
        )
        .where(t.object_changes.c.sync_id == sync_id)
        .where(t.object_changes.c.object_type.startswith(prefix))
        .order_by(t.object_changes.c.id)
    )
    return [(row.object_type[len(prefix) :], row.object_id, row.change) for row in rows]
