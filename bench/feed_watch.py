"""Watches SCIM over HTTP for each change until a read shows it: the change's freshness.

An IGA platform sees a change when a SCIM read returns it, so freshness is
measured as one would: each change's read (`Probe`) is repeated against the
running service until its answer shows the change. The time recorded is when
that first showing read returned (an upper bound); the last read that did not
show it was sent at `unseen_read_at` (the lower bound), so their gap is the
measurement's resolution. Reads are paced (`rps` in all, the oldest-checked
change first) so that watching does not load the two-core machine the feed
runs on.
"""

from __future__ import annotations

import threading
import time

import requests

from bench.feed_changes import Change


class Watcher:
    def __init__(self, base_url: str, token: str, *, rps: float = 20.0, threads: int = 2) -> None:
        self._base = base_url.rstrip("/") + "/scim/v2/"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._interval = threads / rps
        self._pending: dict[int, tuple[Change, float]] = {}  # number -> (change, last read)
        self._lock = threading.Condition()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._read, name=f"scim-watcher-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def watch(self, change: Change) -> None:
        with self._lock:
            self._pending[change.number] = (change, 0.0)
            self._lock.notify_all()

    def wait(self, deadline: float) -> None:
        """Until every change watched was seen, or `deadline` (epoch seconds)."""
        with self._lock:
            while self._pending and time.time() < deadline:
                self._lock.wait(0.2)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        for thread in self._threads:
            thread.join()

    def _next(self) -> Change | None:
        """The change read longest ago (marked as being read now), or None once closed."""
        with self._lock:
            while not self._pending and not self._closed:
                self._lock.wait(0.5)
            if self._closed:
                return None
            number, (change, _) = min(self._pending.items(), key=lambda item: item[1][1])
            self._pending[number] = (change, time.monotonic())
            return change

    def _read(self) -> None:
        session = requests.Session()
        while (change := self._next()) is not None:
            sent = time.time()
            try:
                answer = session.get(
                    self._base + change.probe.path, headers=self._headers, timeout=30
                )
                shows = answer.status_code == 200 and change.probe.shows(answer.json())
                if answer.status_code != 200:
                    change.errors.append(f"HTTP {answer.status_code}")
            except requests.RequestException as exc:
                shows = False
                change.errors.append(str(exc))
            returned = time.time()
            with self._lock:
                change.reads += 1
                if change.number in self._pending and change.seen_at is None:
                    if shows:
                        change.seen_at = returned
                        del self._pending[change.number]
                        self._lock.notify_all()
                    else:
                        change.unseen_read_at = max(change.unseen_read_at or 0.0, sent)
            time.sleep(max(0.0, self._interval - (returned - sent)))
