"""The sync process of `serve`, kept running: restarted when it ends, stopped with the service.

`serve` syncs in a process of its own (`idc-connector sync --loop`). When that
process ended (killed, out of memory, a crash) nothing synced any more while
the service went on serving an ageing snapshot. gunicorn's master supervises
it (`scim.server`): it starts the process, restarts it after a delay that
doubles while it keeps ending soon after it starts, and stops it when the
service stops. Only the process that started it acts on it: gunicorn forks
its workers from the master, and each holds a copy of this object.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Delays before a restart: `first`, doubling up to `longest` while the process
    keeps ending within `healthy_after` seconds of its start, `first` again after."""

    first: float = 1.0
    longest: float = 60.0
    healthy_after: float = 60.0


class SyncSupervisor:
    """Runs `command` as the sync process. The process is only ever waited for and
    signalled by pid here: Popen's own poll() would reap it and lose its status."""

    def __init__(
        self, command: Sequence[str], env: Mapping[str, str], backoff: Backoff | None = None
    ) -> None:
        self._command = list(command)
        self._env = dict(env)
        self._backoff = backoff or Backoff()
        self._owner = os.getpid()
        self._process: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0
        self._start_at = 0.0  # when the next process is due (monotonic)
        self._quick_ends = 0
        self._stopping = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def manage(self) -> None:
        """Start the process when it is due; called from the master's loop (about every second)."""
        if not self._mine() or self._stopping:
            return
        self.reap()
        if self._process is None and time.monotonic() >= self._start_at:
            self._start()

    def reap(self, *, block: bool = False) -> None:
        """Collect the process's exit status if it ended, and schedule its restart.

        Called before gunicorn reaps its workers with waitpid(-1), which would
        take this status too (gunicorn reaps its own dirty arbiter first for the
        same reason).
        """
        process = self._process
        if process is None or not self._mine():
            return
        try:
            pid, status = os.waitpid(process.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped by another waitpid: the status is lost
            code = None
        else:
            if pid == 0:
                return
            code = os.waitstatus_to_exitcode(status)
        # Set, so that Popen never waits for this pid again (it may be reused).
        process.returncode = -1 if code is None else code
        self._process = None
        self._ended(process.pid, code)

    def terminate(self) -> None:
        """Ask the process to stop and start no other. SIGTERM: a sync in progress
        records itself as interrupted; `stop` waits for it."""
        if not self._mine() or self._stopping:
            return
        self._stopping = True
        if self._process is not None:
            os.kill(self._process.pid, signal.SIGTERM)

    def stop(self, timeout: float) -> None:
        """`terminate`, then wait up to `timeout` seconds before killing the process."""
        if not self._mine():
            return
        self.terminate()
        deadline = time.monotonic() + timeout
        while self._process is not None and time.monotonic() < deadline:
            time.sleep(0.1)
            self.reap()
        if self._process is not None:
            log.warning("the sync process did not stop in time; killing it")
            os.kill(self._process.pid, signal.SIGKILL)
            self.reap(block=True)

    def _mine(self) -> bool:
        return os.getpid() == self._owner

    def _start(self) -> None:
        try:
            self._process = subprocess.Popen(self._command, env=self._env)
        except OSError as exc:
            delay = self._next_delay(ran=0.0)
            log.error(
                "the sync process cannot be started; trying again",
                extra={"error": str(exc), "restart_in_seconds": delay},
            )
            return
        self._started_at = time.monotonic()
        log.info("the sync process started", extra={"pid": self._process.pid})

    def _ended(self, pid: int, code: int | None) -> None:
        ran = round(time.monotonic() - self._started_at, 1)
        if self._stopping:
            log.info("the sync process stopped", extra={"pid": pid, **_exit(code)})
            return
        delay = self._next_delay(ran)
        log.error(
            "the sync process ended; it is restarted",
            extra={"pid": pid, **_exit(code), "ran_seconds": ran, "restart_in_seconds": delay},
        )

    def _next_delay(self, ran: float) -> float:
        if ran >= self._backoff.healthy_after:
            self._quick_ends = 0
        delay = min(self._backoff.first * 2.0**self._quick_ends, self._backoff.longest)
        self._quick_ends += 1
        self._start_at = time.monotonic() + delay
        return delay


def _exit(code: int | None) -> dict[str, object]:
    """How a process ended, for the log: its exit code, or the signal that ended it."""
    if code is None:
        return {"exit_code": None, "signal": None, "exit_status": "unknown (reaped elsewhere)"}
    if code >= 0:
        return {"exit_code": code, "signal": None, "exit_status": f"exited with code {code}"}
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    return {"exit_code": None, "signal": name, "exit_status": f"killed by {name}"}
