"""Serving benchmark: how fast the SCIM API answers an IGA platform, at a given size.

    .venv/bin/python -m bench.serving [--size XL] [--seconds 20] [--connections 8]

It serves a store of `--size` users (built once, bench/stores.py) with
`idc-connector serve --no-sync` (gunicorn, 2 workers), and loads it from wrk
on 127.0.0.1 with 8 connections:

- single-account lookups, `userName eq "..."` on random users;
- pages of 100 users at random offsets;
- effective-access reads of random users;

then times the worst filter the service accepts (bench/filter_cost.py says
which), one request after another, pages through every user (count=1000) and
reads the workers' memory.
In the same run it measures the baseline the issue names: a bare Flask app
under the same gunicorn settings looking up a stored JSON document by userName
in SQLite, so the ratio to that baseline is measured on the same machine at
the same moment. Results go to bench/results/serving.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from bench.filter_cost import worst_accepted_filter
from bench.stores import build_store
from connector.store.store import Store
from connector.tokens import create_token

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
AWS_USER = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User"

# wrk reads request paths from a file and reports percentiles as JSON.
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
math.randomseed(7)
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "errors": %d, "non2xx": %d, ' ..
    '"p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def gunicorn(
    argv: list[str], env: dict[str, str], health_url: str
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(health_url)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master)."""
    return sorted(process_status_mb(pid, "VmRSS") for pid in worker_pids(master_pid))


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers: the master's children."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{master_pid}\n" in text:
            found.append(int(status.parent.name))
    return found


def process_status_mb(pid: int, field: str) -> float:
    """A memory field of /proc/<pid>/status (VmRSS: now, VmHWM: the peak), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def run_wrk(
    base: str, paths: list[str], token: str, seconds: int, connections: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "bench.lua"
        script.write_text(WRK_SCRIPT)
        listing = Path(scratch) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        result = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "-s",
                str(script),
                base,
            ],
            env={**os.environ, "BENCH_PATHS": str(listing), "BENCH_TOKEN": token},
            capture_output=True,
            text=True,
            check=True,
        )
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["rps"] = round(figures["requests"] / figures["seconds"], 1)
    return figures


def time_requests(url: str, headers: dict[str, str], times: int = 5) -> dict[str, Any]:
    """Seconds each of `times` requests took, one after another (each answered 200)."""
    taken = []
    for _ in range(times):
        started = time.monotonic()
        response = requests.get(url, headers=headers, timeout=300)
        taken.append(time.monotonic() - started)
        response.raise_for_status()
    return {
        "requests": times,
        "median s": round(sorted(taken)[times // 2], 3),
        "max s": round(max(taken), 3),
    }


def baseline_database(store_path: Path, target: Path) -> list[str]:
    """A table of (userName, JSON document) from the store's users; returns the names."""
    source = sqlite3.connect(store_path)
    rows = source.execute(
        "SELECT user_name, id, display_name, given_name, family_name FROM users "
        "WHERE snapshot_id = (SELECT snapshot_id FROM current_snapshot)"
    ).fetchall()
    source.close()
    target.unlink(missing_ok=True)
    database = sqlite3.connect(target)
    database.execute("CREATE TABLE docs (user_name TEXT PRIMARY KEY, doc TEXT NOT NULL)")
    database.executemany(
        "INSERT INTO docs VALUES (?, ?)",
        [
            (
                name,
                json.dumps(
                    {
                        "id": uid,
                        "userName": name,
                        "displayName": display,
                        "name": {"givenName": given, "familyName": family},
                    }
                ),
            )
            for name, uid, display, given, family in rows
        ],
    )
    database.commit()
    database.close()
    return [row[0] for row in rows]


def measure(size: str, seconds: int, connections: int) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    store_path, build_seconds = build_store(size)
    url = f"sqlite:///{store_path}"
    store = Store.open(url)
    token = create_token(store, f"bench-{os.getpid()}-{int(time.time())}", "read")
    with store.reading() as connection:
        users = [
            (row[0], row[1])
            for row in connection.exec_driver_sql(
                "SELECT id, user_name FROM users "
                "WHERE snapshot_id = (SELECT snapshot_id FROM current_snapshot)"
            )
        ]
    store.close()
    rng = random.Random(7)
    sample = rng.sample(users, min(len(users), 5000))
    total_users = len(users)
    results: dict[str, Any] = {
        "size": size,
        "users": total_users,
        "store_build_seconds": round(build_seconds, 1) if build_seconds else "cached",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "wrk": {"connections": connections, "threads": 2, "seconds": seconds},
    }

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("IDCC_")},
        "IDCC_REGION": "us-east-1",
        "IDCC_DATABASE_URL": url,
        "IDCC_LOG_LEVEL": "WARNING",
    }
    argv = [
        sys.executable,
        "-m",
        "connector.cli",
        "serve",
        "--no-sync",
        "--workers",
        "2",
        "--port",
        str(port),
    ]
    with gunicorn(argv, env, f"{base}/health") as master:
        lookups = [
            "/scim/v2/Users?filter=" + quote('userName eq "' + name + '"') for _, name in sample
        ]
        pages = [
            f"/scim/v2/Users?startIndex={rng.randrange(1, max(2, total_users - 100))}&count=100"
            for _ in range(2000)
        ]
        access = [
            f"/scim/v2/Users/{uid}?attributes={quote(AWS_USER + ':effectiveAccess')}"
            for uid, _ in sample
        ]
        for name, paths in (
            ("userName eq", lookups),
            ("page of 100", pages),
            ("effective access", access),
        ):
            results[name] = run_wrk(base, paths, token, seconds, connections)
        headers = {"Authorization": f"Bearer {token}"}
        results["worst accepted filter"] = time_requests(
            f"{base}/scim/v2/Users?count=100&filter={quote(worst_accepted_filter())}", headers
        )
        started = time.monotonic()
        start, seen = 1, 0
        while True:
            body = requests.get(
                f"{base}/scim/v2/Users?startIndex={start}&count=1000", headers=headers, timeout=120
            ).json()
            seen += len(body["Resources"])
            if start + 1000 > body["totalResults"]:
                break
            start += 1000
        results["page through all users"] = {
            "seconds": round(time.monotonic() - started, 1),
            "users": seen,
        }
        results["worker RSS MB"] = [round(mb, 1) for mb in worker_rss_mb(master.pid)]

    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "baseline.sqlite3"
        names = baseline_database(store_path, database)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "bench.baseline_app:app",
        ]
        with gunicorn(argv, {**env, "BASELINE_DB": str(database)}, f"{base}/health"):
            paths = [f"/Users?userName={quote(name)}" for name in rng.sample(names, len(sample))]
            results["baseline userName lookup"] = run_wrk(base, paths, token, seconds, connections)
    ours, bare = results["userName eq"]["rps"], results["baseline userName lookup"]["rps"]
    results["ratio to baseline"] = round(ours / bare, 3) if bare else None
    return results


TARGETS: tuple[tuple[str, str, Callable[[dict[str, Any]], bool]], ...] = (
    ("userName eq", "rps >= 1,000", lambda r: r["userName eq"]["rps"] >= 1000),
    ("userName eq", "p95 < 15 ms", lambda r: r["userName eq"]["p95"] < 15),
    ("page through all users", "< 30 s", lambda r: r["page through all users"]["seconds"] < 30),
    ("service process memory", "< 250 MB", lambda r: max(r["worker RSS MB"] or [0]) < 250),
)


def markdown(results: dict[str, Any]) -> str:
    worst = results["worst accepted filter"]
    lines = [
        f"Serving {results['users']:,} users ({results['size']}), gunicorn 2 workers x 4 threads, "
        f"wrk {results['wrk']['threads']} threads / {results['wrk']['connections']} connections / "
        f"{results['wrk']['seconds']} s, on {results['machine']['cpus']} CPUs, "
        f"Python {results['machine']['python']}.",
        "",
        "| scenario | requests/s | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in ("userName eq", "page of 100", "effective access", "baseline userName lookup"):
        r = results[name]
        lines.append(
            f"| {name} | {r['rps']:,} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
            f"{r['errors'] + r['non2xx']} |"
        )
    lines += [
        "",
        f"Ratio of `userName eq` to the bare baseline: {results['ratio to baseline']}.",
        f"Paging through all {results['page through all users']['users']:,} users (count=1000): "
        f"{results['page through all users']['seconds']} s.",
        f"Worker RSS after the run: {', '.join(str(m) for m in results['worker RSS MB'])} MB.",
        f"Worst accepted filter (bench/filter_cost.py), {worst['requests']} requests one "
        f"after another: median {worst['median s']} s, max {worst['max s']} s.",
        "",
        "| target | met |",
        "| --- | --- |",
    ]
    for name, target, check in TARGETS:
        lines.append(f"| {name} {target} | {'met' if check(results) else 'MISSED'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="XL")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    results = measure(args.size, args.seconds, args.connections)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "serving.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "serving.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
