"""One sync: read the Identity Center, publish the snapshot, record the outcome.

Whatever happens, the sync's row ends as succeeded or failed with the reason:
an exception (a Ctrl-C included) is recorded before it propagates, and a
process killed outright is recorded by the next sync (see store.sync_log).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from connector.aws import AwsClients
from connector.collect import SyncProgress, collect_snapshot
from connector.config import Settings
from connector.errors import ConnectorError, SyncInterruptedError
from connector.readers.instance import discover_instance
from connector.store.store import Store
from connector.writers.replay import replay_writes

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0


@dataclass(frozen=True)
class SyncResult:
    sync_id: int
    counts: dict[str, int]
    changes: dict[str, dict[str, int]]
    aws: dict[str, Any]
    walk: dict[str, str]
    seconds: float
    organizations_unavailable: str | None


def run_sync(
    settings: Settings,
    store: Store,
    aws: AwsClients,
    *,
    progress: SyncProgress | None = None,
    stop: threading.Event | None = None,
    term: int | None = None,
) -> SyncResult:
    """Run one sync with `aws` (fresh per sync: its call counts become the record),
    as the fleet's sync leader in `term` (connector.leadership) or a one-off."""
    stop = stop or threading.Event()
    sync_id = store.begin_sync(term)
    log.info("sync started", extra={"sync_id": sync_id})
    started = time.monotonic()
    with _Heartbeat(store, sync_id):
        try:
            instance = discover_instance(aws, settings)
            collected = collect_snapshot(aws, settings, instance, progress=progress, stop=stop)
            if stop.is_set():
                raise SyncInterruptedError("sync interrupted")
            walk: dict[str, str] = {
                "pair_discovery": collected.walk.pair_discovery,
                "assignment_walk": collected.walk.assignment_walk,
            }
            summary = store.publish(
                sync_id,
                collected.snapshot,
                aws=aws.stats.as_dict(),
                walk=walk,
                organizations_unavailable=collected.organizations_unavailable,
                replay=replay_writes,
            )
        except BaseException as exc:
            reason = describe_failure(exc)
            store.fail_sync(sync_id, reason, aws=aws.stats.as_dict())
            log.error("sync failed", extra={"sync_id": sync_id, "error": reason})
            raise
    result = SyncResult(
        sync_id=sync_id,
        counts=collected.snapshot.counts(),
        changes=summary.as_dict(),
        aws=aws.stats.as_dict(),
        walk=walk,
        seconds=round(time.monotonic() - started, 3),
        organizations_unavailable=collected.organizations_unavailable,
    )
    log.info(
        "sync succeeded",
        extra={"sync_id": sync_id, "counts": result.counts, "calls": result.aws["total_calls"]},
    )
    return result


def describe_failure(exc: BaseException) -> str:
    """A one-line reason for the record: the connector's message, never a traceback."""
    if isinstance(exc, ConnectorError):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted by the operator"
    return f"{type(exc).__name__}: {exc}"


class _Heartbeat:
    """Marks the sync alive every 30 s, so another host can tell it from a dead one."""

    def __init__(self, store: Store, sync_id: int) -> None:
        self._store = store
        self._sync_id = sync_id
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="sync-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._done.wait(HEARTBEAT_SECONDS):
            try:
                self._store.heartbeat(self._sync_id)
            except Exception:  # a missed beat must not end the sync
                log.warning("sync heartbeat failed", exc_info=True)
