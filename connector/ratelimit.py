"""Client-side pacing that keeps a sync under AWS's request quotas.

IAM Identity Center allows 20 requests per second shared by all sso-admin
operations, and 20 per second for each identitystore operation (IAM Identity
Center User Guide, "Throttling limits"). Pacing calls evenly at that rate means
AWS never has to throttle us, so no call is wasted on a retry; botocore's
adaptive retries stay behind this as the safety net for throttles caused by
other clients of the same account.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Hands out evenly spaced send slots: at most `rate` times `share()` per second, no
    bursts. `share` is the part of the quota this process may use now
    (`connector.quota_share`: a sync leaves writes headroom); 1 by default."""

    def __init__(
        self,
        rate: float,
        *,
        share: Callable[[], float] = lambda: 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._share = share
        self._next_slot = float("-inf")
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> float:
        """Wait for the next free slot; returns the seconds waited."""
        interval = 1.0 / (self.rate * self._share())
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait
