"""Change feed benchmark (issue 11, item 7): how fresh, and at what cost, AWS changes are served.

    .venv/bin/python -m bench.run_feed --quick   # tiny, 20 changes, both sources side by side
    .venv/bin/python -m bench.run_feed           # L, 300 changes, SQS then CloudTrail

For each event source (IDCC_CHANGE_SOURCE=sqs, then cloudtrail) it starts
`idc-connector simulator` seeded with the mode's organisation (50 ms a request,
AWS's quotas; CloudTrail events delivered after the source's delay, 2 s for
SQS), runs `idc-connector sync --loop` with the feed (its first full sync, then
the feed) and `idc-connector serve --no-sync` on the same store, makes mixed
changes as a console administrator at 1 a second (bench/feed_changes.py),
reads each back over SCIM until it is served (bench/feed_watch.py), then stops
the feed and runs a full sync, whose changes in what the service serves are the
changes the feed missed. Results: bench/results/feed.{json,md} (full) or
feed-quick.* (quick); bench/README.md has the method.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from bench import feed_report
from bench.feed_calls import read_calls
from bench.feed_changes import ConsoleChanges, make_changes
from bench.feed_figures import aws_calls, freshness
from bench.feed_plan import DRAIN_SECONDS, MODES, Mode, Source, simulator_run, sources
from bench.feed_processes import (
    CALL_LOG,
    create_queue,
    feed_environment,
    reconcile,
    service,
    start_simulator,
    sync_loop,
    wait_for_feed,
)
from bench.feed_targets import judge
from bench.feed_watch import Watcher
from bench.machine import watched_machine
from bench.results_file import header, publish
from bench.sync_processes import MANIFEST_FILE, stop_simulator, store_url
from connector.simulator.manifest import Manifest
from connector.store.store import Store
from connector.tokens import create_token

RESULTS = Path(__file__).resolve().parent / "results"
# The first full sync of L takes about 5 minutes under the quotas (docs/performance.md).
FIRST_SYNC_TIMEOUT = 1800.0


def _read_token(directory: Path) -> str:
    store = Store.open(store_url(directory))
    try:
        return create_token(store, "feed-benchmark", "read")
    finally:
        store.close()


def run_source(mode: Mode, source: Source, directory: Path) -> dict[str, Any]:
    """One source: simulator, first sync, changes watched over SCIM, reconciliation."""
    directory.mkdir(parents=True)
    run = simulator_run(mode)

    def log(text: str) -> None:
        print(f"[feed {source.name}] {text}", file=sys.stderr, flush=True)

    simulator = start_simulator(run, source, directory)
    try:
        log(f"simulator seeded {mode.dataset} in {simulator.started_seconds}s")
        queue_url = create_queue(simulator.url) if source.name == "sqs" else None
        env = feed_environment(run, simulator.url, directory, source, queue_url)
        launched = time.time()
        with sync_loop(env, directory) as loop:
            feed_started = wait_for_feed(loop, directory, FIRST_SYNC_TIMEOUT)
            log(f"first sync done and rendered after {feed_started - launched:.0f}s")
            with service(env, directory) as base:
                watcher = Watcher(base, _read_token(directory))
                changer = ConsoleChanges(Manifest.load(directory / MANIFEST_FILE), simulator.url)
                started = time.time()
                changes = make_changes(changer, mode.changes, mode.rate, watcher.watch)
                ended = time.time()
                log(f"{len(changes)} changes made in {ended - started:.0f}s")
                watcher.wait(ended + DRAIN_SECONDS)
                watcher.close()
        seen = [c.seen_at for c in changes if c.seen_at is not None]
        drained = max(seen) if len(seen) == len(changes) else ended + DRAIN_SECONDS
        log("feed stopped; reconciling")
        reconciliation = reconcile(env, directory)
    finally:
        stop_simulator(simulator)
    return {
        "source": source.name,
        "ok": True,
        "dataset": mode.dataset,
        "first_sync_seconds": round(feed_started - launched, 1),
        "simulator_seed_seconds": simulator.started_seconds,
        "freshness": freshness(changes, source.delivery_delay),
        "aws": aws_calls(read_calls(directory / CALL_LOG), changes, started, ended, drained),
        "reconciliation": reconciliation,
        "changes": [
            {
                **{k: v for k, v in asdict(c).items() if k != "probe"},
                "read": c.probe.path,
                "freshness": c.freshness,
            }
            for c in changes
        ],
    }


def _guarded(mode: Mode, source: Source, directory: Path) -> dict[str, Any]:
    """A run that failed is reported as failed, and the other source still runs."""
    try:
        return run_source(mode, source, directory)
    except Exception as exc:
        print(f"[feed {source.name}] FAILED: {exc!r}", file=sys.stderr)
        return {"source": source.name, "ok": False, "error": repr(exc)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_feed", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny, 20 s, sources side by side")
    parser.add_argument("--sources", help="comma-separated, of sqs and cloudtrail (default both)")
    parser.add_argument(
        "--seconds",
        type=float,
        help="make changes this long (CloudTrail's overlap fills in 15 minutes)",
    )
    parser.add_argument(
        "--cloudtrail-delay",
        type=float,
        default=0.0,
        help="seconds CloudTrail takes to deliver for the cloudtrail source (AWS: about 300)",
    )
    parser.add_argument("--keep", type=Path, help="keep each run's files (stores, logs) here")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    args = parser.parse_args(argv)

    mode = MODES["quick" if args.quick else "full"]
    if args.seconds or args.sources or args.cloudtrail_delay:
        # Another run than the mode's: its results never replace the mode's.
        mode = replace(mode, name=f"{mode.name}-subset", seconds=args.seconds or mode.seconds)
    names = (args.sources or "sqs,cloudtrail").split(",")
    chosen = [s for s in sources(args.cloudtrail_delay) if s.name in names]
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="idcc-bench-feed-") as scratch,
        watched_machine() as machine,
    ):
        root = args.keep or Path(scratch)
        jobs = [(mode, source, root / source.name) for source in chosen]
        if mode.side_by_side:
            with ThreadPoolExecutor(len(jobs)) as pool:
                runs = list(pool.map(lambda job: _guarded(*job), jobs))
        else:
            runs = [_guarded(*job) for job in jobs]
    results: dict[str, Any] = {
        "mode": {**asdict(mode), "changes": mode.changes},
        **header("bench.run_feed", argv, started),
        "machine": machine,
        "runs": runs,
        "targets": judge(runs),
    }
    publish(results, args.out, feed_report.write, feed_report.markdown)
    return 0 if all(r.get("ok") for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
