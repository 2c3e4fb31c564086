"""The two processes of a sync run: the simulated Identity Center, and `idc-connector sync`.

Both run as the product runs (separate processes talking HTTP on 127.0.0.1),
so the figures include botocore's real cost and no in-process shortcut. The
sync is reaped with ``os.wait4``, whose resource usage is the child's own: CPU
seconds and peak RSS of the sync alone, not of the benchmark or the simulator.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.sync_plan import UNPACED_RPS, Run

MANIFEST_FILE = "manifest.json"


def store_url(directory: Path) -> str:
    """The SQLite store a run's sync writes, in the run's own directory."""
    return f"sqlite:///{directory / 'store.sqlite3'}"


# Log events (connector/logs.py: one JSON object a line) that split the process's
# wall time: start-up before "sync started", the sync, then rendering and exit.
_MILESTONES = {
    "sync started": "sync_started",
    "sync succeeded": "sync_succeeded",
    "documents rendered": "documents_rendered",
}


@dataclass
class Simulator:
    url: str
    process: subprocess.Popen[str]
    started_seconds: float  # from launch to its URL: seeding time
    cpu_seconds: float | None = None  # seeding and serving, read when it stops


@dataclass
class SyncOutcome:
    returncode: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    summary: dict[str, Any] | None
    phases: list[dict[str, Any]] = field(default_factory=list)
    timeline: dict[str, float] = field(default_factory=dict)  # seconds after launch
    error_tail: str = ""


def _reap(process: subprocess.Popen[str]) -> tuple[int, float, float]:
    """Wait for the child; its exit code, CPU seconds and peak RSS (MB) from wait4."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return process.returncode, cpu, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def launch_simulator(
    run: Run, directory: Path, extra: Sequence[str] = ()
) -> tuple[subprocess.Popen[str], Path, float]:
    """Start seeding; `wait_for_simulator` then reads its URL. Split so several seed at once.
    `extra`: more flags of `idc-connector simulator` (the feed benchmark's)."""
    manifest = directory / MANIFEST_FILE
    command = [
        sys.executable,
        "-m",
        "connector.cli",
        "simulator",
        "--size",
        run.dataset,
        "--manifest",
        str(manifest),
        "--latency-ms",
        str(run.profile.latency_ms),
        "--quotas",
        run.profile.quotas,
        *extra,
    ]
    stderr = open(directory / "simulator.err", "w", encoding="utf-8")  # noqa: SIM115
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
    stderr.close()  # the child holds its own copy
    return process, manifest, time.monotonic()


def wait_for_simulator(
    process: subprocess.Popen[str], manifest: Path, launched: float
) -> Simulator:
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("http://"):
        process.kill()
        error = (manifest.parent / "simulator.err").read_text(encoding="utf-8")[-2000:]
        raise RuntimeError(f"the simulator did not start: {line or 'no output'}\n{error}")
    return Simulator(line, process, round(time.monotonic() - launched, 2))


def stop_simulator(simulator: Simulator) -> None:
    if simulator.process.returncode is not None:
        return
    simulator.process.terminate()
    try:
        _, cpu, _ = _reap(simulator.process)
        simulator.cpu_seconds = round(cpu, 2)
    except ChildProcessError:
        pass
    if simulator.process.stdout is not None:
        simulator.process.stdout.close()


@contextmanager
def simulator_for(run: Run, directory: Path) -> Iterator[Simulator]:
    simulator = wait_for_simulator(*launch_simulator(run, directory))
    try:
        yield simulator
    finally:
        stop_simulator(simulator)


def sync_environment(run: Run, url: str, directory: Path) -> dict[str, str]:
    """The environment of `idc-connector sync`: this one without IDCC_*/AWS_*, plus the run's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IDCC_", "AWS_"))}
    env.update(
        {
            "IDCC_REGION": "us-east-1",
            "IDCC_CREDENTIALS_MODE": "access_key",
            "IDCC_AWS_ACCESS_KEY_ID": "bench",
            "IDCC_AWS_SECRET_ACCESS_KEY": "bench",  # the simulator accepts any key
            "IDCC_AWS_ENDPOINT_URL": url,
            "IDCC_DATABASE_URL": store_url(directory),
        }
    )
    if not run.profile.paced:
        for name in ("SSO_ADMIN", "IDENTITYSTORE", "ORGANIZATIONS"):
            env[f"IDCC_{name}_RPS"] = UNPACED_RPS
    return env


def run_sync(run: Run, url: str, directory: Path, *, timeout: float) -> SyncOutcome:
    """One `idc-connector sync --json`, timed from launch to exit; killed after `timeout`."""
    stdout_path, stderr_path = directory / "sync.json", directory / "sync.err"
    with (
        open(stdout_path, "w", encoding="utf-8") as stdout,
        open(stderr_path, "w", encoding="utf-8") as stderr,
    ):
        started, launched_at = time.monotonic(), time.time()
        process = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "sync", "--json"],
            stdout=stdout,
            stderr=stderr,
            env=sync_environment(run, url, directory),
            text=True,
        )
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            code, cpu, rss = _reap(process)
        finally:
            watchdog.cancel()
        wall = time.monotonic() - started
    errors = stderr_path.read_text(encoding="utf-8")
    return SyncOutcome(
        returncode=code,
        wall_seconds=round(wall, 2),
        cpu_seconds=round(cpu, 2),
        peak_rss_mb=round(rss, 1),
        summary=_summary(stdout_path) if code == 0 else None,
        phases=_phases(errors),
        timeline={**_milestones(errors, launched_at), "exited": round(wall, 2)},
        error_tail="" if code == 0 else errors[-2000:],
    )


def _summary(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return data


def _events(stderr: str) -> Iterator[dict[str, Any]]:
    """The process's log records (connector/logs.py: one JSON object a line)."""
    for line in stderr.splitlines():
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except ValueError:
                continue


def _milestones(stderr: str, launched_at: float) -> dict[str, float]:
    """When the sync logged each milestone, in seconds after the process was launched."""
    found = {}
    for event in _events(stderr):
        name = _MILESTONES.get(event.get("message", ""))
        if name and "time" in event:
            at = datetime.fromisoformat(event["time"]).timestamp() - launched_at
            found[name] = round(at, 2)
    return found


def _phases(stderr: str) -> list[dict[str, Any]]:
    """The phases LineProgress (connector/progress.py) logged, with the calls made by then."""
    return [
        {"at": e["elapsed_seconds"], "phase": e["phase"], "calls_so_far": e["aws_calls"]}
        for e in _events(stderr)
        if "phase" in e
    ]
