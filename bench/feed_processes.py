"""The processes of a feed run, as the service runs them: the simulated Identity Center,
the sync process with its change feed, the SCIM service, and the reconciling sync.

`idc-connector serve` is gunicorn plus a supervised `idc-connector sync --loop`
(scim/server.py); the benchmark starts the two itself (`serve --no-sync` and
`sync --loop`, with the same settings) so that it can tell when the first sync
is done and stop the feed before the reconciling sync.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3

from bench.feed_changes import CONSOLE_KEY
from bench.feed_plan import Source
from bench.serving import free_port, wait_until_up
from bench.sync_plan import Run
from bench.sync_processes import (
    Simulator,
    launch_simulator,
    store_url,
    sync_environment,
    wait_for_simulator,
)
from connector.feed.mapping import GLOBAL_SOURCES, REGIONAL_SOURCES
from connector.simulator.cloudtrail.change_queue import create_change_queue
from connector.store.store import Store

# Access keys as AWS's look (20 capitals and digits), so the simulator's call log
# tells the connector's calls from the administrator's and the benchmark's own.
CONNECTOR_KEY = "AKIACONNECTORBENCH01"
SETUP_KEY = "AKIABENCHSETUP000001"
CALL_LOG = "calls.log"


def start_simulator(run: Run, source: Source, directory: Path) -> Simulator:
    extra = (
        *("--event-delay", str(source.delivery_delay)),
        *("--console-key", CONSOLE_KEY),
        *("--call-log", str(directory / CALL_LOG)),
    )
    return wait_for_simulator(*launch_simulator(run, directory, extra))


def create_queue(url: str) -> str:
    """The EventBridge rule and SQS queue `change-feed setup` describes, on the simulator."""

    session = boto3.session.Session()  # of this thread: quick mode sets up two at once

    def client(service: str) -> Any:
        return session.client(
            service,
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id=SETUP_KEY,
            aws_secret_access_key="setup",
        )

    queue = create_change_queue(
        client("events"), client("sqs"), event_sources=REGIONAL_SOURCES + GLOBAL_SOURCES
    )
    return queue.queue_url


def feed_environment(
    run: Run, url: str, directory: Path, source: Source, queue_url: str | None
) -> dict[str, str]:
    """The sync's settings, with the connector's key and the source; the feed's defaults
    otherwise (poll interval, overlap, LookupEvents pace, a daily reconciliation)."""
    env = sync_environment(run, url, directory)
    env.update({"IDCC_AWS_ACCESS_KEY_ID": CONNECTOR_KEY, "IDCC_CHANGE_SOURCE": source.name})
    if queue_url:
        env["IDCC_CHANGE_QUEUE_URL"] = queue_url
    return env


def _logged(stderr: Path, message: str) -> float | None:
    """When the process first logged `message` (connector/logs.py: a JSON object a line)."""
    if not stderr.exists():
        return None
    for line in stderr.read_text(encoding="utf-8").splitlines():
        if line.startswith("{") and f'"{message}"' in line:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("message") == message:
                return datetime.fromisoformat(event["time"]).timestamp()
    return None


@contextmanager
def sync_loop(env: dict[str, str], directory: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`idc-connector sync --loop`; stopped with SIGTERM, as serve's supervisor stops it."""
    with (
        open(directory / "loop.out", "wb") as stdout,
        open(directory / "loop.err", "wb") as stderr,
    ):
        process = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "sync", "--loop"],
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=120)


def wait_for_feed(process: subprocess.Popen[bytes], directory: Path, timeout: float) -> float:
    """Until the first sync's documents are rendered, after which the feed starts; when."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rendered = _logged(directory / "loop.err", "documents rendered")
        if rendered is not None:
            return rendered
        if process.poll() is not None:
            break
        time.sleep(1.0)
    tail = (directory / "loop.err").read_text(encoding="utf-8")[-2000:]
    raise RuntimeError(f"the first sync did not finish (exit {process.poll()}):\n{tail}")


@contextmanager
def service(env: dict[str, str], directory: Path) -> Iterator[str]:
    """`idc-connector serve --no-sync` on a free port (gunicorn, 2 workers); its base URL."""
    port = free_port()
    with open(directory / "serve.err", "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "serve", "--no-sync", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/health")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)


def reconcile(env: dict[str, str], directory: Path) -> dict[str, Any]:
    """One full sync (`idc-connector sync --json`) on the store the feed maintained, and
    what it found changed in what the service serves: the changes the feed missed."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "sync", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    (directory / "reconcile.err").write_text(done.stderr, encoding="utf-8")
    if done.returncode != 0:
        return {"ok": False, "returncode": done.returncode, "error_tail": done.stderr[-2000:]}
    summary = json.loads(done.stdout)
    store = Store.open(store_url(directory))
    try:
        missed = store.served_changes(summary["sync_id"])
    finally:
        store.close()
    status = subprocess.run(
        [sys.executable, "-m", "connector.cli", "status", "--limit", "2"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "ok": True,
        "sync_id": summary["sync_id"],
        "status": status.stdout.splitlines(),  # as `idc-connector status` shows the two syncs
        "wall_seconds": round(time.monotonic() - started, 1),
        "aws_calls": summary["aws"]["total_calls"],
        "missed": len(missed),
        "first_missed": [list(m) for m in missed[:20]],
    }
