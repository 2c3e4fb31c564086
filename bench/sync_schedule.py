"""In what order the sync runs go: one at a time (full), or overlapped (--quick).

A run's figures are only as good as the machine is quiet: a sync bound by CPU
must run alone; a sync bound by quotas mostly waits, so two of them can share
the machine. The full mode runs every sync alone. --quick has two minutes for
S and M under two profiles, of which M's throttle floor alone is 78 s, so it
overlaps every run but the one the CPU target is judged on (`run_overlapped`).
"""

from __future__ import annotations

import sys
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.sync_figures import run_result
from bench.sync_plan import Run
from bench.sync_processes import (
    Simulator,
    SyncOutcome,
    launch_simulator,
    run_sync,
    simulator_for,
    stop_simulator,
    wait_for_simulator,
)
from bench.sync_stored import load_manifest
from bench.sync_targets import CPU_DATASET, CPU_PROFILE

SYNC_TIMEOUT_SECONDS = 1800.0

Result = dict[str, Any]


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _sync(run: Run, simulator: Simulator, directory: Path) -> SyncOutcome:
    _say(f"{run.label}: syncing")
    outcome = run_sync(run, simulator.url, directory, timeout=SYNC_TIMEOUT_SECONDS)
    _say(
        f"{run.label}: exit {outcome.returncode}, wall {outcome.wall_seconds} s, "
        f"CPU {outcome.cpu_seconds} s, RSS {outcome.peak_rss_mb} MB"
    )
    return outcome


def _with_simulator(result: Result, simulator: Simulator) -> Result:
    result["simulator_seed_seconds"] = simulator.started_seconds
    result["simulator_cpu_seconds"] = simulator.cpu_seconds
    return result


def run_alone(runs: list[Run], directories: dict[Run, Path]) -> list[Result]:
    """Each run with a simulator of its own, one after the other: nothing else competes."""
    results = []
    for run in runs:
        _say(f"{run.label}: seeding the simulator")
        with simulator_for(run, directories[run]) as simulator:
            outcome = _sync(run, simulator, directories[run])
        result = _with_simulator(run_result(run, outcome, directories[run]), simulator)
        results.append({**result, "ran_alone": True})
    return results


def _started(runs: list[Run], directories: dict[Run, Path], stack: ExitStack) -> dict[Run, Any]:
    """Launch simulators for `runs` (they seed side by side); stopped when `stack` closes."""
    launched = {run: launch_simulator(run, directories[run]) for run in runs}
    for process, _, _ in launched.values():
        stack.callback(process.kill)  # a no-op once stop_simulator has reaped it
    return launched


def _alone(run: Run) -> bool:
    """Whether a run must have the machine to itself in overlapped mode: the CPU target's."""
    return run.dataset == CPU_DATASET and run.profile.name == CPU_PROFILE


def run_overlapped(runs: list[Run], directories: dict[Run, Path]) -> list[Result]:
    """Seed everything at once; the CPU target's run alone; then all the others side by side.

    Two cpu syncs side by side on two cores grow each other's CPU seconds by a
    third (measured), so the run the CPU target is judged on goes alone; the
    quota-bound syncs mostly wait on their buckets, and the other cpu runs are
    judged on calls and stored data only, so they share the machine.
    """
    alone = [r for r in runs if _alone(r)]
    together = [r for r in runs if not _alone(r)]
    simulators: dict[Run, Simulator] = {}
    checks: dict[Run, Future[Result]] = {}
    with (
        ExitStack() as stack,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="check") as checker,
        ThreadPoolExecutor(max_workers=max(1, len(together))) as syncs,
    ):
        _say(f"seeding {len(runs)} simulators")
        launched = _started(runs, directories, stack)
        simulators.update({run: wait_for_simulator(*launched[run]) for run in runs})
        for run in alone:
            outcome = _sync(run, simulators[run], directories[run])
            stop_simulator(simulators[run])
            checks[run] = checker.submit(run_result, run, outcome, directories[run])
        pending = {
            syncs.submit(_sync, run, simulators[run], directories[run]): run for run in together
        }
        # While the syncs wait on their buckets: load the manifests to check them against.
        manifests = {run: checker.submit(load_manifest, directories[run]) for run in together}

        def check(run: Run, outcome: SyncOutcome) -> Result:
            # The checker runs one task at a time, in order: the manifest is loaded by now.
            return run_result(run, outcome, directories[run], manifests[run].result())

        for future in as_completed(pending):
            run = pending[future]
            stop_simulator(simulators[run])
            checks[run] = checker.submit(check, run, future.result())
        results = {run: checked.result() for run, checked in checks.items()}
    return [
        {**_with_simulator(results[run], simulators[run]), "ran_alone": _alone(run)} for run in runs
    ]
