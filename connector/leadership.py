"""Which replica's sync process leads the fleet: full syncs and the change feed run in
one process at a time across every replica on a store.

Each `idc-connector sync --loop` (one per replica under `serve`) claims the sync
lease (connector.store.leases) every half heartbeat until it gets it, then
renews it every heartbeat for two heartbeats more, for as long as it leads.
A leader that dies stops renewing: its lease expires at most two heartbeats
after its last renewal, and a follower takes it within half a heartbeat more.
A leader that cannot renew (the store unreachable) for as long as its lease
lasts stops leading, since another replica may hold the lease by then; one
that is told the lease is another's stops at once. A leader that stops
(SIGTERM) releases the lease, so a follower takes over at its next try.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from types import TracebackType

from connector.store import leases
from connector.store.store import Store

log = logging.getLogger(__name__)
# How many heartbeats a lease lasts from its last renewal: one renewal may fail.
LEASE_HEARTBEATS = 2


def process_name() -> str:
    """A name for a lease holder that no other live process has: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def lead(store: Store, holder: str, heartbeat: float, stop: threading.Event) -> Iterator[Term]:
    """Each term in which `holder` leads, until `stop`: claimed when the lease is free,
    kept while the caller works (it stops when `Term.ended` is set)."""
    following = False
    while not stop.is_set():
        number = _claim(store, holder, heartbeat)
        if number is None:
            if not following:
                log.info("another replica leads the syncs; this one takes over if it stops")
                following = True
            stop.wait(heartbeat / 2)
            continue
        following = False
        log.info("this replica leads the syncs", extra={"term": number, "holder": holder})
        with Term(store, holder, number, heartbeat, stop) as term:
            yield term
        log.info("this replica no longer leads the syncs", extra={"term": number})


def _claim(store: Store, holder: str, heartbeat: float) -> int | None:
    try:
        with store.writing() as connection:
            return leases.claim(connection, leases.SYNC, holder, LEASE_HEARTBEATS * heartbeat)
    except Exception:
        log.exception("the sync lease cannot be claimed; trying again")
        return None


class Term:
    """One term of leadership. `ended` is set once it is lost, or the process stops:
    whatever the leader does stops with it. Leaving the `with` block releases it."""

    def __init__(
        self, store: Store, holder: str, number: int, heartbeat: float, stop: threading.Event
    ) -> None:
        self.number = number
        self.ended = threading.Event()
        self._store = store
        self._holder = holder
        self._heartbeat = heartbeat
        self._stop = stop
        # Renewing and releasing exclude each other: a renewal after the release
        # would hold the lease for a process that has stopped leading.
        self._lock = threading.Lock()
        self._keeper = threading.Thread(target=self._keep, name="sync-lease", daemon=True)

    def __enter__(self) -> Term:
        self._keeper.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self.ended.set()
            try:
                with self._store.writing() as connection:
                    leases.release(connection, leases.SYNC, self._holder, self.number)
            except Exception:  # it then expires by itself
                log.warning("the sync lease could not be released", exc_info=True)
        self._keeper.join()

    def _keep(self) -> None:
        """Renew every heartbeat; end the term when the process stops or the lease is lost.
        Checks the stop four times a heartbeat, so a SIGTERM is acted on at once."""
        renewed = attempted = time.monotonic()
        lasts = LEASE_HEARTBEATS * self._heartbeat
        while not self.ended.wait(min(0.25, self._heartbeat / 4)):
            if self._stop.is_set():
                self.ended.set()
                return
            if time.monotonic() - attempted < self._heartbeat:
                continue
            attempted = time.monotonic()
            held = self._renew(lasts)
            if held:
                renewed = attempted
            elif held is False:
                log.warning(
                    "another replica took the sync lease over; this one stops leading",
                    extra={"term": self.number},
                )
                self.ended.set()
            elif time.monotonic() - renewed >= lasts:
                log.warning(
                    "the sync lease could not be renewed before it expired; "
                    "this replica stops leading",
                    extra={"term": self.number},
                )
                self.ended.set()

    def _renew(self, lasts: float) -> bool | None:
        """Whether the lease is still this term's; None when the store did not answer."""
        with self._lock:
            if self.ended.is_set():
                return True
            try:
                with self._store.writing() as connection:
                    return leases.renew(connection, leases.SYNC, self._holder, self.number, lasts)
            except Exception:
                log.warning("the sync lease could not be renewed; trying again", exc_info=True)
                return None
