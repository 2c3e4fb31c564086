"""The sync process (`idc-connector sync --loop`, which `serve` starts): full syncs in turn
with the change feed.

A full sync runs, then, until the next is due, the change feed applies AWS's
change events (docs/change-feed.md), or with no feed the process waits. The
two never run at once: a sync publishes what it read, and the events that
arrived meanwhile are applied on top of it. A looping sync outlives any one
failure (AWS down, a store restarting): it is recorded, logged, and the next
interval tries again.

With a change feed the full sync's interval is the reconciliation's, and two
things bring it forward or put it off:

- the feed fell behind past `Settings.feed_max_lag()` (connector.feed.lag):
  it is logged and a full sync runs at once;
- the process starts while the snapshot served is recent and the feed was
  following it (a restart, or a kill: its cursor and the events it applied
  are durable): the feed resumes from its cursor and the full sync runs when
  due, rather than costing a whole sync of AWS's quota at every restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from connector import quota_share
from connector.call_stats import CallStats
from connector.config import Settings
from connector.connection import connect
from connector.errors import ConnectorError
from connector.feed.build import build_feed
from connector.feed.lag import feed_lag, lag_of
from connector.progress import progress_for
from connector.store import sync_log
from connector.store.store import Store, utcnow
from connector.sync import SyncResult, run_sync

log = logging.getLogger(__name__)


def run_syncs(
    settings: Settings,
    store: Store,
    stop: threading.Event,
    *,
    loop: bool,
    synced: Callable[[SyncResult], None],
    ended: Callable[[str, float, CallStats], None],
) -> None:
    """One full sync, or (`loop`) syncs every full-sync interval with the feed between;
    `synced` is told of each sync that succeeded, `ended` of every sync's outcome,
    duration and AWS calls (the metrics)."""
    interval = settings.full_sync_interval()
    resumed = _resumable(settings, store) if loop else None
    followed = resumed is not None  # whether the change feed ran since the last sync
    while True:
        if resumed is not None:
            deadline, resumed = time.monotonic() + resumed, None
        else:
            _full_sync(
                settings, store, stop, loop=loop, followed=followed, synced=synced, ended=ended
            )
            deadline = time.monotonic() + interval
        if not loop:
            return
        followed = _follow_changes(settings, store, deadline, stop)
        if stop.is_set():
            return


def _full_sync(
    settings: Settings,
    store: Store,
    stop: threading.Event,
    *,
    loop: bool,
    followed: bool,
    synced: Callable[[SyncResult], None],
    ended: Callable[[str, float, CallStats], None],
) -> None:
    aws = connect(settings, share=quota_share.for_sync(store, settings))
    progress = progress_for(aws.stats)
    started, outcome = time.monotonic(), "failed"
    try:
        result = run_sync(settings, store, aws, progress=progress, stop=stop)
        outcome = "succeeded"
    except Exception:
        if not loop or stop.is_set():
            raise
        log.exception("sync failed; next attempt in %ss", settings.full_sync_interval())
    else:
        if followed:
            report_missed_changes(store, result.sync_id)
        synced(result)
    finally:
        progress.close()
        ended(outcome, time.monotonic() - started, aws.stats)


def _resumable(settings: Settings, store: Store) -> float | None:
    """Seconds until the next full sync is due, when a starting process can resume the
    change feed instead of syncing first: the latest sync succeeded within the
    interval, the feed has applied a batch since that sync started (it was
    following this snapshot), and it is not behind. None: sync first."""
    if settings.change_source == "none":
        return None
    with store.reading() as connection:
        latest = sync_log.list_syncs(connection, limit=1)
        lagging = feed_lag(connection, settings)
    if not latest or latest[0].outcome != "succeeded" or latest[0].finished_at is None:
        return None
    polled_at = lagging.health.polled_at if lagging is not None else None
    if lagging is None or lagging.behind or polled_at is None:
        return None
    if polled_at < latest[0].started_at:
        return None
    due = settings.full_sync_interval() - (utcnow() - latest[0].finished_at).total_seconds()
    if due <= 0:
        return None
    log.info(
        "the change feed resumes from its cursor; the next full sync is due later",
        extra={"sync": latest[0].id, "due_in_seconds": round(due)},
    )
    return due


def _follow_changes(
    settings: Settings, store: Store, deadline: float, stop: threading.Event
) -> bool:
    """Until `deadline` (monotonic): apply AWS's change events, or, with no feed, wait.
    Whether the feed ran."""
    if settings.change_source == "none":
        stop.wait(max(0.0, deadline - time.monotonic()))
        return False
    try:
        feed = build_feed(settings, store, connect(settings))
    except ConnectorError:
        log.exception("the change feed cannot start; the next full sync is awaited")
        stop.wait(max(0.0, deadline - time.monotonic()))
        return False
    if feed is None:
        return False
    feed.run_until(deadline, stop, until=lambda: _behind(settings, store))
    return True


def _behind(settings: Settings, store: Store) -> bool:
    """Whether the feed fell behind past its bound: logged, and the caller's loop then
    runs a full sync at once."""
    try:
        lagging = lag_of(store, settings)
    except Exception:
        log.exception("the change feed's lag cannot be read")
        return False
    if lagging is None or not lagging.behind:
        return False
    log.warning(
        "the change feed is behind; a full sync runs now",
        extra={
            "lag_seconds": round(lagging.seconds or 0),
            "bound_seconds": lagging.bound,
            "failure": lagging.health.failure,
        },
    )
    return True


def report_missed_changes(store: Store, sync_id: int) -> list[tuple[str, str, str]]:
    """Log what a reconciling sync found that the change feed had not applied."""
    missed = store.served_changes(sync_id)
    if missed:
        log.warning(
            "reconciliation found changes the change feed missed",
            extra={"sync": sync_id, "missed": len(missed), "first": missed[:20]},
        )
    else:
        log.info("reconciliation found no missed change", extra={"sync": sync_id})
    return missed
