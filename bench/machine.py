"""The machine a benchmark ran on, recorded with its figures.

Wall times depend on how many cores there are and on what else was running, so
the results carry the core count, memory, Python, and the load average before
the run (another benchmark on the same two cores shows up there).
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def memory_mb() -> float | None:
    """Total memory from /proc/meminfo (Linux); None elsewhere."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def describe_machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "memory_mb": memory_mb(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _busy_cpu_seconds() -> float | None:
    """CPU seconds every core has spent busy since boot (/proc/stat; None elsewhere)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    """This process's CPU and that of every child it has reaped (the syncs, the simulators)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class OthersCpu:
    """CPU seconds that processes other than the benchmark's used while it ran.

    The load average counts the benchmark's own processes too; this does not:
    the machine's busy time (/proc/stat) minus the benchmark's own and its reaped
    children's. On a shared machine it says how much someone else competed.
    """

    def __enter__(self) -> OthersCpu:
        self._busy, self._own, self._wall = (
            _busy_cpu_seconds(),
            _own_cpu_seconds(),
            time.monotonic(),
        )
        return self

    def __exit__(self, *_: object) -> None:
        busy = _busy_cpu_seconds()
        self.seconds = (
            None
            if busy is None or self._busy is None
            else max(0.0, (busy - self._busy) - (_own_cpu_seconds() - self._own))
        )
        self.wall = time.monotonic() - self._wall

    def summary(self) -> dict[str, float | None]:
        cores = os.cpu_count() or 1
        share = None if self.seconds is None else round(self.seconds / (self.wall * cores), 3)
        return {
            "seconds": None if self.seconds is None else round(self.seconds, 1),
            "share_of_machine": share,
        }


class LoadSampler:
    """The 1-minute load average every few seconds while a benchmark runs.

    On a shared two-core machine another job (a test suite, the serving
    benchmark) inflates wall times; the peak load says whether that happened.
    """

    def __init__(self, every_seconds: float = 5.0) -> None:
        self._every = every_seconds
        self._samples: list[float] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="load-sampler", daemon=True)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            self._samples.append(os.getloadavg()[0])
            if self._done.wait(self._every):
                return

    def summary(self) -> dict[str, float]:
        samples = self._samples or [0.0]
        return {
            "max": round(max(samples), 2),
            "mean": round(sum(samples) / len(samples), 2),
        }


@contextmanager
def watched_machine() -> Iterator[dict[str, Any]]:
    """The machine's description, completed when the block ends with the load during it
    and the CPU other processes used meanwhile."""
    machine = describe_machine()
    with LoadSampler() as load, OthersCpu() as others:
        yield machine
    machine["load_average_during_run"] = load.summary()
    machine["other_processes_cpu_during_run"] = others.summary()


def load_line(machine: dict[str, Any]) -> str:
    during = machine.get("load_average_during_run") or {}
    others = machine.get("other_processes_cpu_during_run") or {}
    share = others.get("share_of_machine")
    competing = "-" if share is None else f"{100 * share:.0f}%"
    return (
        f"mean {during.get('mean', '-')}, peak {during.get('max', '-')}; other processes "
        f"used {others.get('seconds', '-')} CPU s ({competing} of the machine)"
    )


def machine_line(machine: dict[str, Any]) -> str:
    """The machine and its load, as a results file's first line says them."""
    return (
        f"{machine['nproc']} CPUs, {machine['memory_mb']:,.0f} MB, Python {machine['python']}, "
        f"load average before the run {', '.join(map(str, machine['load_average']))}, "
        f"during it {load_line(machine)}."
    )
