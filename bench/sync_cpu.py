"""Where a sync's client CPU goes: the steps of `idc-connector sync`, timed one by one.

    .venv/bin/python -m bench.sync_cpu [--size M]

The benchmark reads one CPU figure per sync (os.wait4 on the process). This
tool explains it: it starts the simulator (no latency, no quotas), then runs in
a fresh process the same steps `idc-connector sync` runs (cli.cmd_sync ->
sync.run_sync -> cli._render), unpaced, and reports the process CPU seconds
(all threads) and wall seconds of each: interpreter imports, opening the store,
making the boto3 clients, reading AWS (discovery and collection: botocore and
the readers), publishing the snapshot to the store, rendering served documents.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def _child(url: str, database_url: str) -> None:
    """The steps of cmd_sync, each measured; imports are measured too, so they live here."""
    steps: dict[str, dict[str, float]] = {}

    def step(name: str, work: Callable[[], T]) -> T:
        cpu, wall = time.process_time(), time.monotonic()
        value = work()
        steps[name] = {
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "wall_seconds": round(time.monotonic() - wall, 2),
        }
        return value

    def imports() -> Any:
        import connector.cli  # noqa: F401  (what `idc-connector` loads first)
        from connector.collect import collect_snapshot
        from connector.config import load_settings
        from connector.connection import connect
        from connector.readers.instance import discover_instance
        from connector.store.store import Store
        from connector.writers.replay import replay_writes
        from scim.rendering import render_snapshot

        return (
            collect_snapshot,
            load_settings,
            connect,
            discover_instance,
            Store,
            render_snapshot,
            replay_writes,
        )

    collect_snapshot, load_settings, connect, discover_instance, store_class, render, replay = step(
        "imports", imports
    )
    settings = load_settings(
        {
            "IDCC_REGION": "us-east-1",
            "IDCC_CREDENTIALS_MODE": "access_key",
            "IDCC_AWS_ACCESS_KEY_ID": "bench",
            "IDCC_AWS_SECRET_ACCESS_KEY": "bench",
            "IDCC_AWS_ENDPOINT_URL": url,
            "IDCC_DATABASE_URL": database_url,
            "IDCC_SSO_ADMIN_RPS": "100000",
            "IDCC_IDENTITYSTORE_RPS": "100000",
            "IDCC_ORGANIZATIONS_RPS": "100000",
        }
    )
    store = step("open and migrate the store", lambda: store_class.open(settings.database_url))
    aws = step("make boto3 clients", lambda: connect(settings))
    collected = step(
        "read AWS (discover + collect)",
        lambda: collect_snapshot(aws, settings, discover_instance(aws, settings)),
    )
    sync_id = store.begin_sync()
    step(
        "publish the snapshot",
        lambda: store.publish(
            sync_id,
            collected.snapshot,
            aws=aws.stats.as_dict(),
            walk={
                "pair_discovery": collected.walk.pair_discovery,
                "assignment_walk": collected.walk.assignment_walk,
            },
            organizations_unavailable=collected.organizations_unavailable,
            replay=replay,
        ),
    )
    step("render served documents", lambda: render(store))
    print(json.dumps({"steps": steps, "calls": aws.stats.total_calls}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync_cpu", description=__doc__)
    parser.add_argument("--size", default="M")
    parser.add_argument("--child", nargs=2, metavar=("URL", "DATABASE_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0

    from bench.sync_plan import PROFILES, Run
    from bench.sync_processes import simulator_for, store_url

    run = Run(args.size, PROFILES["cpu"])
    with tempfile.TemporaryDirectory(prefix="idcc-bench-cpu-") as scratch:
        directory = Path(scratch)
        with simulator_for(run, directory) as simulator:
            command = [sys.executable, "-m", "bench.sync_cpu", "--child", simulator.url]
            output = subprocess.run(
                [*command, store_url(directory)], check=True, capture_output=True, text=True
            ).stdout
    report = json.loads(output.strip().splitlines()[-1])
    total = sum(s["cpu_seconds"] for s in report["steps"].values())
    print(f"{args.size}, {report['calls']} AWS calls, unpaced, no latency:")
    for name, figures in report["steps"].items():
        cpu, wall = figures["cpu_seconds"], figures["wall_seconds"]
        print(f"  {name:<32} CPU {cpu:6.2f} s   wall {wall:6.2f} s")
    print(f"  {'total':<32} CPU {total:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
