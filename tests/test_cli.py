"""The command line: clear messages and exit codes, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("IDCC_", "AWS_"))}
    return subprocess.run(
        [sys.executable, "-m", "connector.cli", *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=120,
    )


def test_bad_configuration_exits_2_with_one_message(tmp_path: Path) -> None:
    result = run_cli(
        "sync",
        env={"IDCC_SYNC_INTERVAL": "often", "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"},
    )
    assert result.returncode == 2
    assert "invalid configuration" in result.stderr
    assert "IDCC_REGION: missing" in result.stderr
    assert "IDCC_SYNC_INTERVAL" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_command_prints_help_and_exits_2() -> None:
    result = run_cli()
    assert result.returncode == 2
    assert "sync" in result.stdout and "check" in result.stdout


def test_tokens_are_printed_once_and_listed_without_value(tmp_path: Path) -> None:
    env = {"IDCC_REGION": "us-east-1", "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"}
    created = run_cli("token", "create", "sailpoint", "--scope", "write", env=env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("idcc_") and len(token) > 40
    listed = run_cli("token", "list", env=env)
    assert "sailpoint" in listed.stdout and "write" in listed.stdout
    assert token not in listed.stdout
    again = run_cli("token", "create", "sailpoint", env=env)
    assert again.returncode == 2 and "exists" in again.stderr


def test_status_before_any_sync_says_what_to_do(tmp_path: Path) -> None:
    env = {"IDCC_REGION": "us-east-1", "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"}
    result = run_cli("status", env=env)
    assert result.returncode == 0
    assert "no sync has run yet" in result.stdout


def test_unreachable_store_is_one_message_not_a_traceback() -> None:
    result = run_cli(
        "status",
        env={
            "IDCC_REGION": "us-east-1",
            "IDCC_DATABASE_URL": "postgresql://idcc:secret-pw@127.0.0.1:1/none",
        },
    )
    assert result.returncode == 6
    assert "cannot be opened" in result.stderr
    assert "secret-pw" not in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_log_level_is_a_configuration_error(tmp_path: Path) -> None:
    result = run_cli(
        "status",
        env={
            "IDCC_REGION": "us-east-1",
            "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/s.db",
            "IDCC_LOG_LEVEL": "verbose",
        },
    )
    assert result.returncode == 2
    assert "IDCC_LOG_LEVEL" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_answers_health_and_ready_over_http(tmp_path: Path) -> None:
    import socket
    import time

    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("IDCC_", "AWS_"))},
        "IDCC_REGION": "us-east-1",
        "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/s.db",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "connector.cli", "serve", "--no-sync", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        ready = requests.get(f"http://127.0.0.1:{port}/ready", timeout=5)
        assert ready.status_code == 503  # no sync yet
        users = requests.get(f"http://127.0.0.1:{port}/scim/v2/Users", timeout=5)
        assert users.status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=30)
