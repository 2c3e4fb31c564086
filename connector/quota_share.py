"""How much of AWS's request quotas this process may use now: the sync leaves writes headroom.

The sync (`idc-connector sync --loop`) and the writes (the serving workers)
are separate processes that each pace themselves under the same quotas: 20
sso-admin requests a second shared by the whole account, 20 a second per
Identity Store API (IAM Identity Center User Guide, "Throttle limits"). Each at
the full rate would together send twice the quota, and the writes, which an
access request is waiting on, would be throttled by our own sync.

So they split it while both are busy, through what the store says: a sync
paces at `sync_quota_share` of each quota while any write operation is open
in the ledger, and the writes at the rest while a sync is running. Either
alone uses the whole quota. Each process asks the store at most every
`CHECK_EVERY` seconds, so for that long after one side starts the other may
still pace at the full rate; botocore's retries absorb the few throttles that
overlap can cause.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from connector.config import Settings
from connector.store import ledger, sync_log
from connector.store.store import Store, utcnow

CHECK_EVERY = 2.0


class QuotaShare:
    """The share (0 to 1] of each quota to pace at: `busy_share` while `busy()` says
    the other side is at work, else 1. `busy()` is asked at most every `every` s."""

    def __init__(
        self,
        busy: Callable[[], bool],
        busy_share: float,
        *,
        every: float = CHECK_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._busy = busy
        self._busy_share = busy_share
        self._every = every
        self._clock = clock
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._share = 1.0

    def __call__(self) -> float:
        with self._lock:
            now = self._clock()
            if now - self._checked_at >= self._every:
                self._checked_at = now
                try:
                    self._share = self._busy_share if self._busy() else 1.0
                except Exception:
                    # A store that cannot be read says nothing of the other side:
                    # keep to the share, the safe side of the quota.
                    self._share = self._busy_share
            return self._share


def for_sync(store: Store, settings: Settings) -> QuotaShare:
    """A sync's share: reduced while write operations are open."""

    def writes_open() -> bool:
        with store.reading() as connection:
            return ledger.open_operations(connection) > 0

    return QuotaShare(writes_open, settings.sync_quota_share)


def for_writes(store: Store, settings: Settings) -> QuotaShare:
    """The writes' share: the rest while a sync is running."""

    def sync_running() -> bool:
        with store.reading() as connection:
            return sync_log.sync_running(connection, utcnow())

    return QuotaShare(sync_running, 1.0 - settings.sync_quota_share)
