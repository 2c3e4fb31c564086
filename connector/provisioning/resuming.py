"""Taking over write operations whose runner stopped, and showing this one is alive.

A service that dies mid-operation leaves it open in the ledger; every serving
process resumes, in the background, operations whose heartbeat is older than
`write_resume_after`, from the step they had reached, polling the request id
they had recorded. Claims are conditional updates, so of several processes
resuming at once exactly one takes each operation.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from connector.config import Settings
from connector.provisioning.running import Runner
from connector.store import write_claims
from connector.store.store import Store, utcnow

log = logging.getLogger(__name__)


class Resumer:
    def __init__(self, store: Store, settings: Settings, runner: Runner) -> None:
        self._store = store
        self._settings = settings
        self._runner = runner
        self._stopping = threading.Event()

    def resume_stale(self) -> list[str]:
        """Take over open operations whose runner stopped beating, and finish them."""
        now = utcnow()
        stale_before = now - timedelta(seconds=self._settings.write_resume_after)
        running_here = set(self._runner.running())
        with self._store.writing() as connection:
            claimed = write_claims.claim_stale(
                connection, self._runner.runner, stale_before, now, exclude=running_here
            )
        for operation_id in claimed:
            log.info("resuming write operation", extra={"operation": operation_id})
            self._runner.launch(operation_id)
        return claimed

    def start(self) -> None:
        """Resume stale operations now and every half `write_resume_after`, in the
        background (the serving processes call it; claims keep them from doubling)."""
        interval = max(1.0, self._settings.write_resume_after / 2)

        def loop() -> None:
            while True:
                try:
                    self._beat_running()
                    self.resume_stale()
                except Exception:
                    log.exception("resuming write operations failed")
                if self._stopping.wait(interval):
                    return

        threading.Thread(target=loop, name="write-resume", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()

    def _beat_running(self) -> None:
        """Heartbeat every operation of this process, queued ones included: an
        operation waiting for a worker thread is alive, not abandoned."""
        running = self._runner.running()
        if running:
            with self._store.writing() as connection:
                for operation_id in running:
                    write_claims.heartbeat(connection, operation_id, self._runner.runner, utcnow())
