"""How long the write path waits before asking AWS again: polling an asynchronous
request, retrying after throttling or an outage, waiting for a lock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from connector.errors import TRANSIENT_AWS_ERRORS

_T = TypeVar("_T")

# First after 0.2 s, then half as long again each time, never more than 5 s apart.
POLL_FIRST = 0.2
POLL_GROWTH = 1.5
POLL_MAX = 5.0


def pauses() -> Iterator[float]:
    """The waits between one try and the next: POLL_FIRST, growing to POLL_MAX."""
    delay = POLL_FIRST
    while True:
        yield delay
        delay = min(delay * POLL_GROWTH, POLL_MAX)


def retrying(read: Callable[[], _T], deadline: float) -> _T:
    """A read of AWS, asked again through throttling and outages until `deadline`."""
    waits = pauses()
    while True:
        try:
            return read()
        except TRANSIENT_AWS_ERRORS:
            if time.monotonic() >= deadline:
                raise
        time.sleep(next(waits))
