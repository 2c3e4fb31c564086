"""The event history of one account and region: what was recorded, and what has arrived.

CloudTrail's Event history holds "the past 90 days of management events" of a
region (CloudTrail User Guide, "Working with CloudTrail Event history"), and an
event reaches it some time after its call, "within an average of about 5
minutes ... not guaranteed", in no particular order (see ``EventDelivery``). So
each event is stored with the clock reading at which it arrives; LookupEvents
sees only those that have arrived, and none older than 90 days.

One history lives in each (corrected) moto CloudTrail backend, so that
``mock_aws``'s reset and ``BackendDict.reset()`` discard it with the rest of
the simulated account.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from ..behaviour import EventDelivery
from .record import RecordedEvent

RETENTION_SECONDS = 90 * 24 * 3600


@dataclass(frozen=True)
class StoredEvent:
    """A recorded event, its place in the history, and when (on the clock) it arrives."""

    event: RecordedEvent
    sequence: int
    arrives_at: float


@dataclass(frozen=True)
class Arrivals:
    """When an event arrives in the history and, once or twice, on EventBridge."""

    history: float
    eventbridge: tuple[float, ...]


def arrivals(delivery: EventDelivery, sequence: int, now: float) -> Arrivals:
    """Draw an event's arrival times, seeded by the delivery's seed and the event's place.

    Drawn from a generator of the event's own, so whether other events were
    drawn (or duplicated) does not change when this one arrives.
    """
    draw = random.Random(f"{delivery.seed}:{sequence}")

    def arrival() -> float:
        return now + delivery.delay_seconds + draw.uniform(0.0, delivery.jitter_seconds)

    first = arrival()
    duplicated = draw.random() < delivery.duplicate_fraction
    return Arrivals(history=first, eventbridge=(first, arrival()) if duplicated else (first,))


class EventHistory:
    """The recorded events of one account and region (thread-safe: the server is threaded)."""

    def __init__(self) -> None:
        self._events: list[StoredEvent] = []
        self._sequence = 0
        self._lock = threading.Lock()

    def add(self, event: RecordedEvent, delivery: EventDelivery, now: float) -> Arrivals:
        """Store ``event`` recorded at clock reading ``now``; returns when it arrives where."""
        with self._lock:
            self._sequence += 1
            when = arrivals(delivery, self._sequence, now)
            horizon = event.event_time - RETENTION_SECONDS
            if self._events and self._events[0].event.event_time < horizon:
                self._events = [e for e in self._events if e.event.event_time >= horizon]
            self._events.append(StoredEvent(event, self._sequence, when.history))
        return when

    def add_arrived(self, event: RecordedEvent, now: float) -> None:
        """Store ``event`` as arrived by ``now``: a seeded past event (sign_ins.py)."""
        with self._lock:
            self._sequence += 1
            self._events.append(StoredEvent(event, self._sequence, now))

    def arrived(self, now: float, wall_time: float) -> list[StoredEvent]:
        """The events that have arrived by ``now`` and are at most 90 days old, newest first.

        "The events list is sorted by time. The most recent event is listed
        first" (CloudTrail API Reference, LookupEvents); events of the same second
        are listed latest recorded first.
        """
        horizon = int(wall_time) - RETENTION_SECONDS
        with self._lock:
            events = [e for e in self._events if e.arrives_at <= now]
        return sorted(
            (e for e in events if e.event.event_time >= horizon),
            key=lambda e: (e.event.event_time, e.sequence),
            reverse=True,
        )
