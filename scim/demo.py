"""`idc-connector demo`: the whole product on one machine, with no AWS account.

It starts the simulated Identity Center (moto, corrected to behave like AWS)
as a separate process, seeds it, syncs it into a fresh SQLite store, creates a
read token, prints how to use it, and serves the API until Ctrl-C.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from connector.config import Settings
from connector.connection import connect
from connector.progress import progress_for
from connector.store.store import Store
from connector.sync import run_sync
from connector.tokens import create_token
from scim.rendering import render_snapshot
from scim.server import serve

DEMO_REGION = "us-east-1"


def start_simulator(size: str, manifest: Path) -> tuple[subprocess.Popen[str], str]:
    """The simulator process and its endpoint URL (it prints it once it listens)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connector.cli",
            "simulator",
            "--size",
            size,
            "--manifest",
            str(manifest),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("http://"):
        process.kill()
        raise RuntimeError(f"the simulator did not start: {line or 'no output'}")
    return process, line


def run_demo(*, size: str, host: str, port: int, data_dir: str) -> int:
    directory = Path(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    # A fresh demo each run: remove only what an earlier demo left here.
    for leftover in directory.glob("demo.sqlite3*"):
        leftover.unlink()
    print(f"starting a simulated IAM Identity Center ({size} organisation)...", flush=True)
    simulator, endpoint = start_simulator(size, directory / "manifest.json")
    try:
        settings = Settings(
            region=DEMO_REGION,
            credentials_mode="access_key",
            aws_access_key_id="demo",
            aws_secret_access_key="demo",  # the simulator accepts any key
            aws_endpoint_url=endpoint,
            database_url=f"sqlite:///{directory.resolve()}/demo.sqlite3",
        )
        store = Store.open(settings.database_url)
        aws = connect(settings)
        progress = progress_for(aws.stats)
        try:
            result = run_sync(settings, store, aws, progress=progress)
        finally:
            progress.close()
        counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.counts.items())
        print(
            f"synced in {result.seconds:.1f}s with {result.aws['total_calls']} AWS calls: {counts}"
        )
        render_snapshot(store)
        token = create_token(store, "demo", "read")
        url = f"http://{host}:{port}"
        print(
            f"\nserving on {url}\n"
            f"read token: {token}\n"
            f"try:\n  curl -s {url}/ready\n"
            f'  curl -s -H "Authorization: Bearer {token}" {url}/scim/v2/Users?count=2\n'
            "Ctrl-C stops the demo.\n",
            flush=True,
        )
        return serve(settings, host=host, port=port, workers=2, sync=True)
    finally:
        simulator.terminate()
        simulator.wait(timeout=30)
