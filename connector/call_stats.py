"""Counts of what a sync asked of AWS: calls by operation, HTTP attempts, throttles.

A call is one API operation as the code asked for it; an attempt is one HTTP
request, so retries make attempts exceed calls. Both are counted from
botocore's own events, so the figures are what was really sent.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class CallStats:
    calls: Counter[str] = field(default_factory=Counter)
    attempts: Counter[str] = field(default_factory=Counter)
    throttles: Counter[str] = field(default_factory=Counter)
    paced_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record_call(self, key: str) -> None:
        with self._lock:
            self.calls[key] += 1

    def record_attempt(self, key: str, paced_seconds: float) -> None:
        with self._lock:
            self.attempts[key] += 1
            self.paced_seconds += paced_seconds

    def record_throttle(self, key: str) -> None:
        with self._lock:
            self.throttles[key] += 1

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def by_operation(self) -> tuple[dict[str, int], dict[str, int]]:
        """Calls and throttles by operation, copied while no thread adds to them."""
        with self._lock:
            return dict(self.calls), dict(self.throttles)

    def as_dict(self) -> dict[str, object]:
        with self._lock:
            return {
                "calls": dict(sorted(self.calls.items())),
                "total_calls": sum(self.calls.values()),
                "http_attempts": sum(self.attempts.values()),
                "throttles": dict(sorted(self.throttles.items())),
                "total_throttles": sum(self.throttles.values()),
                "paced_seconds": round(self.paced_seconds, 3),
            }
