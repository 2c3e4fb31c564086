"""Review export benchmark: peak memory and time to first byte of the access-review export
of a large store (issue 13: at 100,000 users it streams with peak RSS under 250 MB).

    PYTHONPATH=. .venv/bin/python -m bench.run_export [--size XL]

On a copy of the store bench/stores.py builds for `--size` (XL: 100,000 users; built
once and kept in bench/.cache), whose sign-in back-fill is marked finished with no
sign-ins read, so that every row reads last use as it does in service (the seeded
store has no CloudTrail history), the export is run the two ways a certifier gets it:

- CLI: `idc-connector review export --format csv` in a process of its own, its output
  read from a pipe: time to the first byte and to the end, and its peak RSS as the
  kernel counted it (wait4's ru_maxrss);
- HTTP: `idc-connector serve --no-sync --workers 1` (gunicorn), `GET
  /reports/review?format=json` read as it streams: time to the first byte and to the
  end, and the worker's peak RSS after the answer (/proc VmHWM: over its whole life,
  so the serving process's own size included).

Results: bench/results/export.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.serving import free_port, gunicorn, process_status_mb, worker_pids
from bench.stores import build_store
from connector.feed.sign_in_backfill import HISTORY
from connector.store import sign_in_backfill
from connector.store.store import Store, utcnow
from connector.tokens import create_token

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_MB = 250


def measure_cli(env: dict[str, str]) -> dict[str, Any]:
    argv = [sys.executable, "-m", "connector.cli", "review", "export", "--format", "csv"]
    started = time.monotonic()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    first, size, lines = None, 0, 0
    while chunk := process.stdout.read1(65536):
        first = first or time.monotonic() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the export exited {process.returncode}")
    return {
        "first_byte_seconds": round(first or 0, 3),
        "total_seconds": round(time.monotonic() - started, 1),
        "rows": lines - 1,
        "megabytes": round(size / 1e6, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def measure_http(env: dict[str, str], token: str) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "connector.cli", "serve", "--no-sync", "--workers", "1"]
    with gunicorn([*argv, "--port", str(port)], env, f"{base}/health") as master:
        (worker,) = worker_pids(master.pid)
        before = process_status_mb(worker, "VmRSS")
        started = time.monotonic()
        with requests.get(
            f"{base}/reports/review?format=json",
            headers={"Authorization": f"Bearer {token}"},
            stream=True,
            timeout=600,
        ) as answer:
            answer.raise_for_status()
            first, size = None, 0
            for chunk in answer.iter_content(65536):
                first = first or time.monotonic() - started
                size += len(chunk)
        total = time.monotonic() - started
        return {
            "first_byte_seconds": round(first or 0, 3),
            "total_seconds": round(total, 1),
            "megabytes": round(size / 1e6, 1),
            "worker_rss_before_mb": round(before, 1),
            "worker_peak_rss_mb": round(process_status_mb(worker, "VmHWM"), 1),
        }


def markdown(results: dict[str, Any]) -> str:
    cli, http = results["cli"], results["http"]
    verdict = "met" if results["peak_rss_mb"] < TARGET_MB else "MISSED"
    return "\n".join(
        [
            f"# Review export, {results['size']} ({results['users']:,} users)",
            "",
            "| way | first byte | whole export | rows / MB | peak RSS |",
            "| --- | --- | --- | --- | --- |",
            f"| CLI, csv | {cli['first_byte_seconds']} s | {cli['total_seconds']} s | "
            f"{cli['rows']:,} rows, {cli['megabytes']} MB | {cli['peak_rss_mb']} MB |",
            f"| HTTP, json | {http['first_byte_seconds']} s | {http['total_seconds']} s | "
            f"{http['megabytes']} MB | {http['worker_peak_rss_mb']} MB "
            f"(worker; {http['worker_rss_before_mb']} MB before) |",
            "",
            f"Target: peak RSS under {TARGET_MB} MB: {verdict}.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="XL", help="store preset (default XL)")
    args = parser.parse_args()
    cached, build_seconds = build_store(args.size)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "store.sqlite3"
        shutil.copyfile(cached, path)
        results = measure(args.size, f"sqlite:///{path}", build_seconds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "export.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "export.md").write_text(markdown(results))
    print(markdown(results))


def measure(size: str, url: str, build_seconds: float | None) -> dict[str, Any]:
    store = Store.open(url)
    token = create_token(store, f"bench-export-{os.getpid()}", "read")
    now = utcnow()
    with store.writing() as connection:
        sign_in_backfill.start(connection, now - HISTORY, now)
        sign_in_backfill.page_read(connection, next_token=None, reached=None, events=0, now=now)
    with store.reading() as connection:
        users = connection.exec_driver_sql(
            "SELECT count(*) FROM users "
            "WHERE snapshot_id = (SELECT snapshot_id FROM current_snapshot)"
        ).scalar_one()
    store.close()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("IDCC_")},
        "IDCC_REGION": "us-east-1",
        "IDCC_DATABASE_URL": url,
        "IDCC_LOG_LEVEL": "WARNING",
    }
    results: dict[str, Any] = {
        "size": size,
        "users": users,
        "store_build_seconds": round(build_seconds, 1) if build_seconds else "cached",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "cli": measure_cli(env),
        "http": measure_http(env, token),
    }
    results["peak_rss_mb"] = max(
        results["cli"]["peak_rss_mb"], results["http"]["worker_peak_rss_mb"]
    )
    return results


if __name__ == "__main__":
    main()
