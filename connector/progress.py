"""Showing a sync's progress: a bar on a terminal, log records elsewhere (services, CI)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TextIO

from tqdm import tqdm

from connector.call_stats import CallStats

log = logging.getLogger(__name__)


class LineProgress:
    """One log record per phase, with the AWS calls made so far: off a terminal a bar
    would be noise in the log, and a plain line would break its one JSON object a line."""

    def __init__(self, stats: CallStats) -> None:
        self._stats = stats
        self._started = time.monotonic()

    def phase(self, message: str) -> None:
        elapsed = time.monotonic() - self._started
        calls = self._stats.total_calls
        log.info(
            "[%7.1fs] %s (%d AWS calls so far)",
            elapsed,
            message,
            calls,
            extra={"phase": message, "elapsed_seconds": round(elapsed, 1), "aws_calls": calls},
        )

    def expect_calls(self, total: int) -> None:
        log.info("at most %d AWS calls expected", total, extra={"aws_calls_at_most": total})

    def close(self) -> None:
        pass


class BarProgress:
    """A tqdm bar of AWS calls made against the most the sync may make."""

    def __init__(self, stats: CallStats, stream: TextIO | None = None) -> None:
        self._stats = stats
        self._bar = tqdm(total=None, unit="call", file=stream or sys.stderr, dynamic_ncols=True)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._refresh, daemon=True)
        self._thread.start()

    def phase(self, message: str) -> None:
        self._bar.set_description_str(message)

    def expect_calls(self, total: int) -> None:
        self._bar.total = total
        self._bar.refresh()

    def close(self) -> None:
        self._done.set()
        self._thread.join()
        self._update()
        self._bar.close()

    def _refresh(self) -> None:
        while not self._done.wait(0.2):
            self._update()

    def _update(self) -> None:
        self._bar.n = self._stats.total_calls
        self._bar.refresh()


def progress_for(stats: CallStats, stream: TextIO | None = None) -> LineProgress | BarProgress:
    stream = stream or sys.stderr
    return BarProgress(stats, stream) if stream.isatty() else LineProgress(stats)
