"""The command line: clear messages and exit codes, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.serving import clean_environment, serve_process


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
    env = clean_environment(
        {"IDCC_REGION": "us-east-1", "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"}
    )
    with serve_process(env, tmp_path / "serve.log", "--no-sync") as served:
        assert requests.get(f"{served.url}/health", timeout=5).json() == {"status": "ok"}
        ready = requests.get(f"{served.url}/ready", timeout=5)
        assert ready.status_code == 503  # no sync yet
        users = requests.get(f"{served.url}/scim/v2/Users", timeout=5)
        assert users.status_code == 401
