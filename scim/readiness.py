"""Readiness (GET /ready, no token): whether this instance should get traffic, and if not why.

Ready means the store answers, down to rows of the snapshot served (a
corrupted file can leave the sync history readable while the data is not);
a snapshot is served and is younger than `Settings.max_snapshot_age()`; and
no sync is recorded as running while its process has stopped beating (the
bound the next sync uses to call it dead, `sync_log.STALE_AFTER`). Each
problem is one sentence in `problems`; none carries an error text, which can
name accounts and people: `idc-connector status` and the log have those.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from connector.config import Settings
from connector.store import snapshots, sync_log
from connector.store import tables as t
from connector.store.store import Store
from connector.store.sync_log import SyncRecord
from scim.errors import store_unavailable

log = logging.getLogger(__name__)

STORE_UNREADABLE = "the store cannot be read"


@dataclass(frozen=True)
class _Facts:
    served: SyncRecord | None  # the sync whose snapshot is served
    latest: sa.Row[int, str, datetime] | None  # the newest sync: id, outcome, heartbeat


def readiness(store: Store, settings: Settings) -> tuple[dict[str, Any], int]:
    """The /ready body and its status: 200 when ready, 503 with the problems when not."""
    try:
        with store.reading() as connection:
            facts = _read(connection)
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
            "finished_at": _aware(served.finished_at).isoformat(),
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
    body["ready"] = not problems
    return body, 200 if not problems else 503


def _read(connection: sa.Connection) -> _Facts:
    latest = connection.execute(
        sa.select(t.syncs.c.id, t.syncs.c.outcome, t.syncs.c.heartbeat_at)
        .order_by(t.syncs.c.id.desc())
        .limit(1)
    ).first()
    snapshot_id = snapshots.current_snapshot_id(connection)
    if snapshot_id is None:
        return _Facts(served=None, latest=latest)
    # A row of each table of the snapshot: the reads of clients fail where these do.
    for table in t.SNAPSHOT_TABLES:
        connection.execute(
            sa.select(table).where(table.c.snapshot_id == snapshot_id).limit(1)
        ).first()
    return _Facts(served=sync_log.last_succeeded_sync(connection), latest=latest)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _seconds(now: datetime, since: datetime) -> float:
    return (now - _aware(since)).total_seconds()
