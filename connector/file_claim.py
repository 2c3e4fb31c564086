"""A file this process holds, so that no second process on this host uses what it names.

An exclusive flock on the file, kept until the process and every process it
forked have ended: the lock belongs to the open file, which gunicorn's workers
share, so one worker closing its copy releases nothing. The holder's pid is
written in the file for the message of the process that is refused.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Held(Exception):
    """Another process holds the file."""

    def __init__(self, holder: str) -> None:
        self.holder = holder  # its pid, or "unknown"
        super().__init__(f"held by pid {holder}")


@contextmanager
def claimed(path: Path) -> Iterator[None]:
    """Hold `path` (created if missing) for the duration, or raise `Held` at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip() or "unknown"
        lock.close()
        raise Held(holder) from None
    lock.truncate(0)
    lock.write(str(os.getpid()))
    lock.flush()
    try:
        yield
    finally:
        lock.close()
