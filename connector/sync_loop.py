"""The sync process (`idc-connector sync --loop`, which `serve` starts): full syncs in turn
with the change feed.

Every replica runs one; only the one that leads (connector.leadership) syncs
and follows the feed, so a fleet makes one sync per interval, not one per
replica. A full sync is due an interval after the latest one ended, whichever
replica ran it: a new leader picks up the schedule where the last one left it.
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
- the process starts leading while the snapshot served is recent and the
  feed was following it (a restart, a kill, or another replica's leader
  gone: its cursor and the events it applied are durable): the feed resumes
  from its cursor and the full sync runs when due, rather than costing a
  whole sync of AWS's quota at every restart.

Beside both, in a thread of its own, the sign-in back-fill reads each access's
last use 90 days back once (connector.feed.sign_in_backfill), from the first
snapshot on; a new leader resumes it where the last one stopped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from connector import quota_share
from connector.call_stats import CallStats
from connector.config import Settings
from connector.connection import connect
from connector.errors import ConnectorError
from connector.feed.build import build_feed
from connector.feed.lag import feed_lag, lag_of
from connector.feed.sign_in_backfill import backfill
from connector.leadership import Term, lead
from connector.progress import progress_for
from connector.store import sign_in_backfill, sync_log
from connector.store.snapshots import current_snapshot_id
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
    replica: str,
) -> None:
    """One full sync, or (`loop`) while `replica` leads the fleet's syncs
    (connector.leadership): a full sync whenever one is due, the change feed
    between. `synced` is told of each sync that succeeded, `ended` of every
    sync's outcome, duration and AWS calls (the metrics)."""
    if not loop:
        _full_sync(settings, store, stop, None, followed=False, synced=synced, ended=ended)
        return
    for term in lead(store, replica, settings.leader_heartbeat, stop):
        _lead(settings, store, term, synced=synced, ended=ended)


def _lead(
    settings: Settings,
    store: Store,
    term: Term,
    *,
    synced: Callable[[SyncResult], None],
    ended: Callable[[str, float, CallStats], None],
) -> None:
    """Until the term ends: a full sync when one is due (`_due_in`), or at once when a
    feed that cannot resume (`_resumable`) or fell behind asks for one; between
    them the change feed, or with no feed a wait."""
    due_in: float | None = None
    if settings.change_source != "none":
        due_in = _resumable(settings, store)
        if due_in is None:
            due_in = 0.0
    followed = due_in is not None and due_in > 0  # whether the feed ran since the last sync
    backfilling: threading.Thread | None = None
    while not term.ended.is_set():
        backfilling = _backfilling(settings, store, term.ended, backfilling)
        if due_in is None:
            due_in = _due_in(settings, store)
        if due_in <= 0:
            _full_sync(
                settings,
                store,
                term.ended,
                term.number,
                followed=followed,
                synced=synced,
                ended=ended,
            )
            followed = False
            backfilling = _backfilling(settings, store, term.ended, backfilling)
            # A sync refused before it was recorded leaves one still due: try again
            # a heartbeat later, not at once.
            due_in = max(_due_in(settings, store), float(settings.leader_heartbeat))
        following = _follow_changes(settings, store, time.monotonic() + due_in, term.ended)
        followed = followed or following.ran
        due_in = 0.0 if following.behind else None


def _backfilling(
    settings: Settings, store: Store, stop: threading.Event, running: threading.Thread | None
) -> threading.Thread | None:
    """The sign-in back-fill (connector.feed.sign_in_backfill) in a thread of its own, so
    that neither the full sync nor the feed waits for it: `running` while it runs, else
    started with a change feed (whose cloudtrail:LookupEvents it needs), once a snapshot
    exists to resolve role names against, until it has finished or the term ends."""
    if running is not None and running.is_alive():
        return running
    if settings.change_source == "none":
        return None
    try:
        with store.reading() as connection:
            if current_snapshot_id(connection) is None:
                return None
            progress = sign_in_backfill.progress(connection)
    except Exception:
        log.exception("the sign-in back-fill's progress cannot be read")
        return None
    if progress is not None and progress.finished_at is not None:
        return None

    def run() -> None:
        try:
            done = backfill(store, connect(settings), stop=stop.is_set)
        except Exception:
            log.exception("the sign-in back-fill failed; it continues from its last page later")
            return
        log.info(
            "sign-in back-fill " + ("finished" if done.finished_at else "stopped"),
            extra={"pages": done.pages, "sign_ins": done.events},
        )

    thread = threading.Thread(target=run, name="sign-in-backfill", daemon=True)
    thread.start()
    return thread


def _due_in(settings: Settings, store: Store) -> float:
    """Seconds until a full sync is due: an interval after the latest recorded sync
    ended (whichever replica ran it, and however it ended: a failed one is tried
    again an interval later). Zero or less: due now. A store that cannot say is
    asked again a heartbeat later: the loop outlives it."""
    try:
        with store.reading() as connection:
            ended_at = sync_log.last_finished_at(connection)
    except Exception:
        log.exception("when the next sync is due cannot be read; asking again")
        return float(settings.leader_heartbeat)
    if ended_at is None:
        return 0.0
    return settings.full_sync_interval() - (utcnow() - ended_at).total_seconds()


def _full_sync(
    settings: Settings,
    store: Store,
    stop: threading.Event,
    term: int | None,
    *,
    followed: bool,
    synced: Callable[[SyncResult], None],
    ended: Callable[[str, float, CallStats], None],
) -> None:
    """One full sync; led under `term`, a failure is logged and left to the next one,
    while a one-off sync (`term` None) raises it."""
    aws = connect(settings, share=quota_share.for_sync(store, settings))
    progress = progress_for(aws.stats)
    started, outcome = time.monotonic(), "failed"
    try:
        result = run_sync(settings, store, aws, progress=progress, stop=stop, term=term)
        outcome = "succeeded"
    except Exception:
        if term is None:
            raise
        if not stop.is_set():  # else the term ended: the sync recorded itself as interrupted
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


@dataclass(frozen=True)
class _Following:
    ran: bool  # whether the change feed ran
    behind: bool  # whether it stopped because it fell behind: a full sync is due now


def _follow_changes(
    settings: Settings, store: Store, deadline: float, stop: threading.Event
) -> _Following:
    """Until `deadline` (monotonic): apply AWS's change events, or, with no feed, wait."""
    feed = None
    if settings.change_source != "none":
        try:
            feed = build_feed(settings, store, connect(settings))
        except ConnectorError:
            log.exception("the change feed cannot start; the next full sync is awaited")
    if feed is None:
        stop.wait(max(0.0, deadline - time.monotonic()))
        return _Following(ran=False, behind=False)
    behind = threading.Event()

    def fell_behind() -> bool:
        if _behind(settings, store):
            behind.set()
        return behind.is_set()

    feed.run_until(deadline, stop, until=fell_behind)
    return _Following(ran=True, behind=behind.is_set())


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
