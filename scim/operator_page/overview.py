"""What the operator page shows, read from the store at each request: the syncs over time,
the served snapshot and the change feed (as /ready tells them), the writes in flight and
failed, and each AWS quota's use by the latest finished sync.

Everything comes from the store, so every replica shows the same page. Drift
is not counted here: the drift report reads the whole snapshot, too much for a
page that refreshes itself; the page links to the review page, which shows it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from connector.config import Settings
from connector.store import ledger, sync_log
from connector.store import tables as t
from connector.store.store import Store
from connector.store.sync_log import SyncRecord
from connector.timestamps import rfc3339
from scim.operator_page.quota_use import quota_use
from scim.readiness import readiness
from scim.store_metrics import WRITE_STATUSES

# The chart's width: 30 syncs are 7.5 hours at the default 15-minute interval, enough to
# see a trend, few enough for each bar to stay readable.
SYNCS_SHOWN = 30
WRITES_SHOWN = 20


def overview(store: Store, settings: Settings) -> dict[str, Any]:
    """The page's data; readiness's body is included as /ready answers it."""
    ready, _ = readiness(store, settings)
    now = datetime.now(UTC)
    with store.reading() as connection:
        syncs = list(reversed(sync_log.list_syncs(connection, SYNCS_SHOWN)))
        writes = _writes(connection)
    finished = [s for s in syncs if s.finished_at is not None and s.aws]
    latest = finished[-1] if finished else None
    return {
        "generated_at": rfc3339(now),
        "readiness": ready,
        "syncs": [_sync(s, now) for s in syncs],
        "writes": writes,
        "quotas": _quotas(latest, settings),
    }


def _sync(record: SyncRecord, now: datetime) -> dict[str, Any]:
    aws = record.aws or {}
    return {
        "id": record.id,
        "started_at": rfc3339(record.started_at),
        "finished_at": rfc3339(record.finished_at),
        "outcome": record.outcome,
        "duration_seconds": round(_duration(record, now), 1),
        "calls": aws.get("total_calls"),
        "throttles": aws.get("total_throttles"),
        "error": record.error,
    }


def _quotas(latest: SyncRecord | None, settings: Settings) -> dict[str, Any]:
    if latest is None or latest.aws is None:
        return {"sync_id": None, "seconds": None, "quotas": quota_use({}, {}, 0, settings)}
    seconds = _duration(latest, datetime.now(UTC))
    return {
        "sync_id": latest.id,
        "seconds": round(seconds, 1),
        "quotas": quota_use(latest.aws["calls"], latest.aws["throttles"], seconds, settings),
    }


def _writes(connection: sa.Connection) -> dict[str, Any]:
    op = t.write_operations.c
    counts = dict.fromkeys(WRITE_STATUSES, 0)
    for status, count in connection.execute(
        sa.select(op.status, sa.func.count()).group_by(op.status)
    ):
        counts[status] = count
    return {
        "counts": counts,
        "in_flight": _operations(connection, op.status.in_(ledger.OPEN_STATUSES)),
        "failed": _operations(connection, op.status == "failed"),
    }


def _operations(connection: sa.Connection, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    op = t.write_operations.c
    rows = connection.execute(
        sa.select(
            op.id,
            op.created_at,
            op.action,
            op.resource_type,
            op.resource_id,
            op.status,
            op.token_name,
            op.error,
        )
        .where(where)
        .order_by(op.created_at.desc(), op.id)
        .limit(WRITES_SHOWN)
    )
    return [
        {
            "id": row.id,
            "created_at": rfc3339(row.created_at),
            "action": row.action,
            "resource_type": row.resource_type,
            "resource_id": row.resource_id,
            "status": row.status,
            "token_name": row.token_name,
            "error": row.error,
        }
        for row in rows
    ]


def _duration(record: SyncRecord, now: datetime) -> float:
    """Seconds the sync took, or has taken so far while it runs."""
    end = _aware(record.finished_at) if record.finished_at is not None else now
    return max(0.0, (end - _aware(record.started_at)).total_seconds())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
