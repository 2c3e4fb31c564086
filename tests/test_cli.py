"""The command line: clear messages and exit codes, never a traceback."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from connector import cli
from connector.store.store import Store
from connector.tokens import verify_token
from tests.serving import clean_environment, serve_process, wait_for


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
    Store.open(f"sqlite:///{tmp_path}/s.db").close()  # as `token create` or `serve` leave it
    env = {"IDCC_REGION": "us-east-1", "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"}
    result = run_cli("status", env=env)
    assert result.returncode == 0
    assert "no sync has run yet" in result.stdout


def test_commands_that_only_use_the_store_need_no_region(store_url: str) -> None:
    env = {"IDCC_DATABASE_URL": store_url}
    created = run_cli("token", "create", "iga", env=env)
    assert created.returncode == 0, created.stderr
    for command in (["status"], ["operations"], ["token", "list"], ["token", "revoke", "iga"]):
        result = run_cli(*command, env=env)
        assert result.returncode == 0, (command, result.stderr)
        assert "IDCC_REGION" not in result.stderr
    needs_aws = run_cli("sync", env=env)
    assert needs_aws.returncode == 2 and "IDCC_REGION: missing" in needs_aws.stderr


@pytest.mark.parametrize("command", [["status"], ["operations"], ["token", "list"]])
def test_reading_a_store_that_does_not_exist_creates_none(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nowhere" / "s.db"
    result = run_cli(
        *command, env={"IDCC_DATABASE_URL": f"sqlite:///{missing}", "IDCC_LOG_FORMAT": "text"}
    )
    assert result.returncode == 6
    assert result.stderr.strip().splitlines() == [
        f"error: there is no store at sqlite:///{missing}: create it with `idc-connector sync` "
        "(or serve), or set IDCC_DATABASE_URL to the store they use"
    ]
    assert not missing.parent.exists()


def test_an_empty_postgresql_database_is_not_taken_for_a_store(postgres_url: str) -> None:
    result = run_cli("status", env={"IDCC_DATABASE_URL": postgres_url})
    assert result.returncode == 6 and "there is no store at" in result.stderr
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            assert sa.inspect(connection).get_table_names() == []
    finally:
        engine.dispose()


def test_version_is_the_installed_packages() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == (
        f"idc-connector {importlib.metadata.version('identity-center-connector')}"
    )


def _options_without_help(parser: argparse.ArgumentParser, path: str) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options_without_help(sub, f"{path} {name}")
        elif not action.help:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}"


def test_every_command_line_option_has_help_text() -> None:
    assert list(_options_without_help(cli._parser(), "idc-connector")) == []


def test_an_unknown_idcc_variable_is_named_with_the_closest_setting(tmp_path: Path) -> None:
    Store.open(f"sqlite:///{tmp_path}/s.db").close()
    result = run_cli(
        "status",
        env={
            "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/s.db",
            "IDCC_REGON": "eu-west-1",
            "IDCC_LOG_FORMAT": "text",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "IDCC_REGON is not a setting and is ignored (did you mean IDCC_REGION?)" in (
        result.stderr
    )
    assert "IDCC_DATABASE_URL" not in result.stderr  # known variables are not named


def test_tokens_expire_and_rotate_from_the_command_line(store_url: str) -> None:
    env = {"IDCC_DATABASE_URL": store_url}
    lasting = run_cli("token", "create", "okta", "--scope", "write", "--expires-in", "90d", env=env)
    brief = run_cli("token", "create", "brief", "--expires-in", "1s", env=env)
    assert lasting.returncode == 0 and brief.returncode == 0, lasting.stderr + brief.stderr
    store = Store.open(store_url)
    try:
        wait_for(
            lambda: verify_token(store, brief.stdout.strip()) is None,
            timeout=30,
            what="the one-second token expires",
        )
        listed = dict(
            line.split(maxsplit=1) for line in run_cli("token", "list", env=env).stdout.splitlines()
        )
        assert re.search(r" expired \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", listed["brief"])
        assert re.search(r" active, expires \d{4}-\d\d-\d\dT[\d:]+Z$", listed["okta"])
        rotated = run_cli("token", "rotate", "okta", env=env)
        assert rotated.returncode == 0, rotated.stderr
        assert verify_token(store, lasting.stdout.strip()) is None
        info = verify_token(store, rotated.stdout.strip())
        assert info is not None and info.scope == "write"
    finally:
        store.close()
    bad = run_cli("token", "create", "x", "--expires-in", "soon", env=env)
    assert bad.returncode == 2 and "is not a duration" in bad.stderr


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
