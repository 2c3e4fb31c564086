"""`idc-connector check` says what it proved and only that, on a terminal and as JSON.

The simulated Identity Center runs as its own process and `check` is the real
command, so what is asserted is what an operator reads.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from connector.config import settings_to_env
from connector.store.store import Store
from tests.serving import clean_environment
from tests.simulation import simulator_settings

# What no probe can test without changing AWS (connector.check.UNPROBED).
UNVERIFIED = {
    "sso:CreateAccountAssignment",
    "sso:DeleteAccountAssignment",
    "identitystore:CreateUser",
    "identitystore:CreateGroup",
}


@pytest.fixture(scope="module")
def check_env(simulator_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    store = f"sqlite:///{tmp_path_factory.mktemp('check')}/s.sqlite3"
    settings = simulator_settings(store, aws_endpoint_url=simulator_endpoint)
    return clean_environment(settings_to_env(settings))


def run_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connector.cli", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=os.getcwd(),
    )


def test_check_says_not_verified_for_write_actions_it_cannot_probe(
    check_env: dict[str, str],
) -> None:
    result = run_check(check_env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    for action in UNVERIFIED:
        assert "not verified" in lines[action], lines[action]
        assert not lines[action].rstrip().endswith(" ok"), lines[action]
    assert lines["sso:ListAccountAssignments"].rstrip().endswith(" ok")
    summary = result.stdout.strip().splitlines()[-1]
    assert "not verified" in summary, summary
    for action in UNVERIFIED:
        assert action in summary


def test_check_json_says_null_not_true_for_what_it_did_not_verify(
    check_env: dict[str, str],
) -> None:
    result = run_check(check_env, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    actions = {a["action"]: a for a in report["actions"]}
    for action in UNVERIFIED:
        assert actions[action]["allowed"] is None
        assert actions[action]["verified"] is False
        assert actions[action]["detail"].startswith("not verified")
    listed = actions["sso:ListAccountAssignments"]
    assert listed["allowed"] is True and listed["verified"] is True
    assert sorted(report["not_verified"]) == sorted(
        a for a, r in actions.items() if not r["verified"]
    )
    assert set(report["not_verified"]) >= UNVERIFIED
    assert report["ok"] is True


def test_check_reports_the_store_it_would_use(
    check_env: dict[str, str], store_url: str, tmp_path: Path
) -> None:
    never = {**check_env, "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/never/s.db"}
    result = run_check(never)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "store: ok: " in result.stdout and "not created yet" in result.stdout
    assert not (tmp_path / "never").exists()  # check creates nothing

    Store.open(store_url).close()
    current = json.loads(run_check({**check_env, "IDCC_DATABASE_URL": store_url}, "--json").stdout)
    assert current["store"]["ok"] is True
    assert current["store"]["revision"] == current["store"]["newest"]

    unreachable = {**check_env, "IDCC_DATABASE_URL": "postgresql://idcc:pw-123@127.0.0.1:1/x"}
    result = run_check(unreachable)
    assert result.returncode == 6, result.stdout + result.stderr
    assert "store: FAILED: postgresql://idcc:********@127.0.0.1:1/x" in result.stdout
    assert "pw-123" not in result.stdout + result.stderr
    assert "credentials: ok" in result.stdout  # AWS is still checked


def test_check_of_an_endpoint_that_drops_connections_shows_progress_and_gives_up_soon(
    check_env: dict[str, str],
) -> None:
    accepted: list[socket.socket] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"

        def drop_each() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return  # the test closed the listener
                accepted.append(connection)
                connection.close()

        threading.Thread(target=drop_each, daemon=True).start()
        result = run_check({**check_env, "IDCC_AWS_ENDPOINT_URL": endpoint})
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"checking credentials (sts:GetCallerIdentity) at {endpoint}..." in result.stderr
    assert "FAILED: GetCallerIdentity failed" in result.stdout
    # cmd_check's three attempts (a dropped connection may be opened again once), not
    # IDCC_AWS_MAX_ATTEMPTS' ten with their backoff.
    assert 3 <= len(accepted) <= 6, len(accepted)


def test_check_of_an_endpoint_that_never_accepts_gives_up_after_bounded_connects(
    check_env: dict[str, str],
) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        address = listener.getsockname()
        # Fill the listener's backlog: the kernel then drops further connection
        # attempts, as an endpoint behind a firewall that drops packets does.
        waiting: list[socket.socket] = []
        while True:
            pending = socket.socket()
            pending.settimeout(1)
            try:
                pending.connect(address)
            except TimeoutError:
                pending.close()
                break
            waiting.append(pending)
        endpoint = f"http://127.0.0.1:{address[1]}"
        started = time.monotonic()
        result = run_check({**check_env, "IDCC_AWS_ENDPOINT_URL": endpoint})
        took = time.monotonic() - started
        for pending in waiting:
            pending.close()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ConnectTimeoutError" in result.stdout, result.stdout
    # 3 attempts of at most 5 s each and their backoff, where botocore's defaults
    # (60 s per connection, IDCC_AWS_MAX_ATTEMPTS' 10 attempts) take ten minutes.
    assert took < 60, took
