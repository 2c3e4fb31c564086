"""A sync killed half-way leaves the previous snapshot in service; the next one succeeds.

The simulator runs as its own process (as in the demo) and each sync is a real
`idc-connector sync` process, so the kill is a real SIGKILL or SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.store.store import Store
from scim.demo import start_simulator


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    manifest = tmp_path_factory.mktemp("sim") / "manifest.json"
    process, endpoint = start_simulator("S", manifest)
    yield endpoint
    process.terminate()
    process.wait(timeout=30)


def sync_env(endpoint: str, database_url: str, sso_admin_rps: str = "100000") -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("IDCC_", "AWS_"))}
    return {
        **clean,
        "IDCC_REGION": "us-east-1",
        "IDCC_CREDENTIALS_MODE": "access_key",
        "IDCC_AWS_ACCESS_KEY_ID": "testing",
        "IDCC_AWS_SECRET_ACCESS_KEY": "testing",
        "IDCC_AWS_ENDPOINT_URL": endpoint,
        "IDCC_DATABASE_URL": database_url,
        "IDCC_SSO_ADMIN_RPS": sso_admin_rps,
        "IDCC_IDENTITYSTORE_RPS": "100000",
        "IDCC_ORGANIZATIONS_RPS": "100000",
    }


def run_sync_process(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connector.cli", "sync"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def start_slow_sync(env: dict[str, str], store: Store) -> subprocess.Popen[str]:
    """A sync paced at 30 sso-admin calls a second, returned once it is under way."""
    process = subprocess.Popen(
        [sys.executable, "-m", "connector.cli", "sync"],
        env={**env, "IDCC_SSO_ADMIN_RPS": "30"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        running = [s for s in store.syncs(limit=1) if s.outcome == "running"]
        if running:
            time.sleep(2.0)  # well into reading AWS, long before publishing
            assert process.poll() is None, "the sync finished before it could be interrupted"
            return process
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the sync never started")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_interrupted_sync_keeps_previous_snapshot_and_next_sync_succeeds(
    simulator: str, tmp_path: Path, how: signal.Signals
) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    env = sync_env(simulator, url)
    first = run_sync_process(env)
    assert first.returncode == 0, first.stderr
    store = Store.open(url)
    served = store.current_snapshot_id()
    snapshot = store.read_snapshot()

    process = start_slow_sync(env, store)
    process.send_signal(how)
    process.communicate(timeout=60)
    assert store.current_snapshot_id() == served
    assert store.read_snapshot() == snapshot
    interrupted = store.syncs(limit=1)[0]
    if how == signal.SIGTERM:
        # Told to stop, the sync records its own failure before exiting.
        assert interrupted.outcome == "failed"
        assert interrupted.error == "sync interrupted"
    else:
        assert interrupted.outcome == "running"  # killed outright: no chance to say so

    third = run_sync_process(env)
    assert third.returncode == 0, third.stderr
    history = {s.id: s for s in store.syncs()}
    assert history[interrupted.id].outcome == "failed"
    assert history[interrupted.id].error.startswith(("interrupted", "sync interrupted"))
    latest = store.syncs(limit=1)[0]
    assert latest.outcome == "succeeded"
    assert store.current_snapshot_id() == latest.id
    assert store.read_snapshot() == snapshot  # nothing changed in AWS meanwhile
