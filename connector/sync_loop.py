"""The sync process (`idc-connector sync --loop`, which `serve` starts): full syncs in turn
with the change feed.

A full sync runs, then, until the next is due, the change feed applies AWS's
change events (docs/change-feed.md), or with no feed the process waits. The
two never run at once: a sync publishes what it read, and the events that
arrived meanwhile are applied on top of it. A looping sync outlives any one
failure (AWS down, a store restarting): it is recorded, logged, and the next
interval tries again.
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
from connector.progress import progress_for
from connector.store.store import Store
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
    followed = False  # whether the change feed ran since the last sync
    while True:
        aws = connect(settings, share=quota_share.for_sync(store, settings))
        progress = progress_for(aws.stats)
        started, outcome = time.monotonic(), "failed"
        try:
            result = run_sync(settings, store, aws, progress=progress, stop=stop)
            outcome = "succeeded"
        except Exception:
            if not loop or stop.is_set():
                raise
            log.exception("sync failed; next attempt in %ss", interval)
        else:
            if followed:
                report_missed_changes(store, result.sync_id)
            synced(result)
        finally:
            progress.close()
            ended(outcome, time.monotonic() - started, aws.stats)
        if not loop:
            return
        followed = _follow_changes(settings, store, time.monotonic() + interval, stop)
        if stop.is_set():
            return


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
    feed.run_until(deadline, stop)
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
