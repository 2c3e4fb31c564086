"""Sign-in back-fill benchmark (issue 13): 90 days of CloudTrail read at LookupEvents' pace.

    .venv/bin/python -m bench.run_backfill              # M, 3,000 active accesses
    .venv/bin/python -m bench.run_backfill --quick      # tiny, in seconds

The simulator (in this process) is seeded with the preset and its sign-ins
and enforces AWS's quotas (LookupEvents: 2 requests a second per account and
region); a full sync fills the store, then the back-fill reads the sign-ins of
the last 90 days with the connector's default settings (IDCC_LOOKUP_EVENTS_RPS
1, leaving the other half of the quota to the change feed). The simulator's
call log times every LookupEvents it served; the figures are the calls, the
throttles, the most calls in any one-second window, and the wall time.
Results: bench/results/backfill.{json,md} (or backfill-quick.*).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.results_file import header, publish
from connector.config import load_settings
from connector.connection import connect
from connector.feed.sign_in_backfill import backfill
from connector.simulator import dispatch, load_plan, simulated_aws
from connector.simulator.behaviour import behaviour
from connector.simulator.call_log import install as log_calls
from connector.simulator.seed import PRESETS, plan_organisation
from connector.simulator.throttling import aws_quotas
from connector.store.store import Store
from connector.sync import run_sync

RESULTS = Path(__file__).resolve().parent / "results"
QUOTA_PER_SECOND = 2  # LookupEvents, per account and region (CloudTrail quotas page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the tiny preset, in seconds")
    args = parser.parse_args()
    size, active = ("tiny", 40) if args.quick else ("M", 3_000)
    started = time.monotonic()
    figures = run(size, active)
    results = {**header("bench.run_backfill", None, started), **figures}
    name = "backfill-quick" if args.quick else "backfill"
    publish(results, RESULTS, lambda r, out: _write(r, out, name), _markdown)


def _write(results: dict[str, Any], out: Path, name: str) -> tuple[Path, Path]:
    out.mkdir(exist_ok=True)
    json_path, md_path = out / f"{name}.json", out / f"{name}.md"
    json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(_markdown(results), encoding="utf-8")
    return json_path, md_path


def run(size: str, active_accesses: int) -> dict[str, Any]:
    plan = plan_organisation(replace(PRESETS[size], active_accesses=active_accesses))
    with tempfile.TemporaryDirectory() as folder, simulated_aws():
        load_plan(plan)
        url = f"sqlite:///{Path(folder) / 'store.sqlite3'}"
        settings = load_settings(
            {
                "IDCC_REGION": "us-east-1",
                "IDCC_CREDENTIALS_MODE": "access_key",
                "IDCC_AWS_ACCESS_KEY_ID": "bench",
                "IDCC_AWS_SECRET_ACCESS_KEY": "bench",
                "IDCC_DATABASE_URL": url,
            }
        )
        store = Store.open(url)
        run_sync(settings, store, connect(settings))
        behaviour().update(quotas=aws_quotas())
        log = Path(folder) / "calls.log"
        log_calls(log)
        aws = connect(settings)
        started = time.monotonic()
        try:
            progress = backfill(store, aws)
        finally:
            dispatch.remove("call_log")
        seconds = time.monotonic() - started
        store.close()
        times = [
            float(line.split("\t")[0])
            for line in log.read_text(encoding="utf-8").splitlines()
            if line.split("\t")[3] == "LookupEvents"
        ]
    busiest = max((sum(1 for t in times if start <= t < start + 1) for start in times), default=0)
    return {
        "size": size,
        "sign_ins_seeded": len(plan.sign_ins),
        "sign_ins_read": progress.events,
        "pages": progress.pages,
        "lookup_events_calls": aws.stats.calls["cloudtrail:LookupEvents"],
        "throttles": aws.stats.throttles["cloudtrail:LookupEvents"],
        "most_calls_in_one_second": busiest,
        "quota_per_second": QUOTA_PER_SECOND,
        "configured_rps": settings.lookup_events_rps,
        "seconds": round(seconds, 1),
        "finished": progress.finished_at is not None,
    }


def _markdown(f: dict[str, Any]) -> str:
    return (
        "# Sign-in back-fill\n\n"
        f"`{f['command']}` (bench/run_backfill.py), finished {f['finished_at']}\n\n"
        "| size | sign-ins read (seeded) | pages | LookupEvents calls | throttles "
        "| most calls in 1 s (quota) | configured rate | seconds |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
        f"| {f['size']} | {f['sign_ins_read']} ({f['sign_ins_seeded']}) | {f['pages']} "
        f"| {f['lookup_events_calls']} | {f['throttles']} "
        f"| {f['most_calls_in_one_second']} ({f['quota_per_second']}) "
        f"| {f['configured_rps']:g}/s | {f['seconds']} |\n"
    )


if __name__ == "__main__":
    main()
