"""Sync benchmark: what `idc-connector sync` costs against AWS-like latency and quotas.

    .venv/bin/python -m bench.run_sync --quick   # S and M, cpu + throttle: under 2 minutes
    .venv/bin/python -m bench.run_sync           # S, M, M-dense, M-stale, L x 3 profiles

For each dataset and profile it starts `idc-connector simulator` (seeded, with
the profile's latency and quotas) on 127.0.0.1, runs `idc-connector sync --json`
against it in a fresh SQLite store, and records calls by operation, HTTP
attempts, throttles, wall time, the throttle floor and wall/floor, the sync
process's CPU seconds and peak RSS, the call bound, and whether the store holds
exactly what was seeded. Results (see bench/README.md): bench/results/sync.{json,md}
for the full run, the published one; sync-quick.* and sync-subset.* for the others,
so a quick look never replaces the full table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import sync_report
from bench.machine import watched_machine
from bench.results_file import header, publish
from bench.sync_plan import (
    FULL_DATASETS,
    PROFILES,
    QUICK_DATASETS,
    QUICK_PROFILES,
    Run,
    plan_runs,
)
from bench.sync_schedule import run_alone, run_overlapped
from bench.sync_targets import judge, judge_page_aware

RESULTS = Path(__file__).resolve().parent / "results"


def _directories(runs: list[Run], scratch: Path) -> dict[Run, Path]:
    """One directory a run: the simulator's manifest, the sync's store and its output."""
    directories = {}
    for index, run in enumerate(runs):
        directory = scratch / f"{index:02d}-{run.dataset}-{run.profile.name}"
        directory.mkdir(parents=True)
        directories[run] = directory
    return directories


def _mode(args: argparse.Namespace) -> str:
    """full: every dataset and profile; quick; or subset: datasets or profiles chosen."""
    if args.datasets or args.profiles:
        return "subset"
    return "quick" if args.quick else "full"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_sync", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="S and M, cpu and throttle profiles")
    parser.add_argument("--datasets", help="comma-separated seed presets (overrides the mode's)")
    parser.add_argument("--profiles", help=f"comma-separated, of {', '.join(PROFILES)}")
    parser.add_argument(
        "--overlap",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run quota-bound syncs side by side (default: on with --quick, off otherwise)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    args = parser.parse_args(argv)

    datasets = (
        tuple(args.datasets.split(","))
        if args.datasets
        else (QUICK_DATASETS if args.quick else FULL_DATASETS)
    )
    profiles = (
        tuple(args.profiles.split(","))
        if args.profiles
        else (QUICK_PROFILES if args.quick else tuple(PROFILES))
    )
    overlap = args.quick if args.overlap is None else args.overlap
    runs = plan_runs(datasets, profiles)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="idcc-bench-sync-") as scratch,
        watched_machine() as machine,
    ):
        directories = _directories(runs, Path(scratch))
        measured = run_overlapped(runs, directories) if overlap else run_alone(runs, directories)
    results: dict[str, Any] = {
        "mode": _mode(args),
        **header("bench.run_sync", argv, started),
        "overlapped": overlap,
        "machine": machine,
        "runs": measured,
        "targets": judge(measured),
        "page_aware_bound": judge_page_aware(measured),
    }
    publish(results, args.out, sync_report.write, sync_report.markdown)
    return 0 if all(r.get("ok") for r in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
