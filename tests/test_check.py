"""`idc-connector check` says what it proved and only that, on a terminal and as JSON.

The simulated Identity Center runs as its own process and `check` is the real
command, so what is asserted is what an operator reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from connector.config import settings_to_env
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
