"""Puts recorded events on EventBridge when they are due, on the simulator's clock.

An event reaches EventBridge ``EventDelivery.delay_seconds`` (plus jitter) after
its call, possibly twice. Two things deliver what is due, so neither a test on
a ManualClock nor a client long-polling SQS against the real clock waits for
the other:

- every request the simulator serves first delivers what is due (recording.py),
  so a test that advances its ManualClock and then receives from SQS sees
  exactly the events due by then;
- a daemon thread, started with the first delivery that is not due at once,
  delivers every ``POLL_SECONDS`` while anything is pending, so an event due in
  two seconds reaches a queue being long-polled without another request.

Deliveries are process-wide, as moto's backends are; each is tied to the event
history that scheduled it and dropped if that history is gone (its backend was
reset by ``mock_aws`` or ``BackendDict.reset()``), so a test's events never
reach the next test's queues.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from ..behaviour import behaviour

POLL_SECONDS = 0.05

_log = logging.getLogger(__name__)


@dataclass(order=True)
class _Delivery:
    due: float
    order: int
    owner: weakref.ref[object] = field(compare=False)
    send: Callable[[], None] = field(compare=False)


class Courier:
    """Pending deliveries, in due order (ties: in the order they were scheduled)."""

    def __init__(self) -> None:
        self._pending: list[_Delivery] = []
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._delivering = threading.Lock()
        self._thread: threading.Thread | None = None

    def schedule(self, due: float, owner: object, send: Callable[[], None]) -> None:
        """Call ``send`` once the clock reads ``due``, unless ``owner`` is gone by then."""
        due_now = due <= behaviour().now()
        with self._lock:
            delivery = _Delivery(due, next(self._order), weakref.ref(owner), send)
            heapq.heappush(self._pending, delivery)
            if self._thread is None and not due_now:
                self._thread = threading.Thread(
                    target=self._run, name="simulated-eventbridge", daemon=True
                )
                self._thread.start()
            self._wake.notify()
        if due_now:
            self.deliver_due()

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def deliver_due(self) -> int:
        """Deliver, in due order, everything due by now; returns how many were sent."""
        if not self._pending:  # the common case, read without the lock
            return 0
        sent = 0
        with self._delivering:  # one deliverer at a time keeps the due order
            now = behaviour().now()
            while True:
                with self._lock:
                    if not self._pending or self._pending[0].due > now:
                        return sent
                    delivery = heapq.heappop(self._pending)
                if delivery.owner() is None:
                    continue
                try:
                    delivery.send()
                except Exception:  # one failed put must not stop the others, nor the request
                    _log.exception("could not put a CloudTrail event on EventBridge")
                    continue
                sent += 1

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._pending:
                    self._wake.wait()
                self._wake.wait(POLL_SECONDS)
            self.deliver_due()


_COURIER = Courier()


def courier() -> Courier:
    """The process-wide courier (moto's backends are process-wide too)."""
    return _COURIER
