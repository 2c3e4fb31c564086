"""A bad setting stops every command before it starts anything: exit 2, one clear message.

`serve` used to bind its port, start its sync process and boot a worker that
then failed on the guardrails file with a traceback (exit 3, documented as
"credentials"), while `check` and `sync` ran with the same setting. Each
command here is the real one against the simulated Identity Center.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from connector.config import settings_to_env
from tests.serving import clean_environment, free_port, stop_process
from tests.simulation import simulator_settings

# Each bad setting: the variables that make it, given a folder for files, and a
# piece of the message that names it.
BAD = {
    "guardrails file missing": (
        lambda folder: {"IDCC_GUARDRAILS_FILE": str(folder / "absent.toml")},
        "absent.toml does not exist",
    ),
    "guardrails file not TOML": (
        lambda folder: {"IDCC_GUARDRAILS_FILE": write(folder / "g.toml", "max_changes = [")},
        "g.toml cannot be read",
    ),
    "guardrails rule unknown": (
        lambda folder: {"IDCC_GUARDRAILS_FILE": write(folder / "g.toml", "deny_everything = 1")},
        "invalid guardrails file",
    ),
    "SQS feed without a queue": (
        lambda folder: {"IDCC_CHANGE_SOURCE": "sqs"},
        "IDCC_CHANGE_SOURCE=sqs needs IDCC_CHANGE_QUEUE_URL",
    ),
    "negative write wait": (
        lambda folder: {"IDCC_WRITE_WAIT": "-5"},
        "IDCC_WRITE_WAIT",
    ),
}


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def bad_env(name: str, endpoint: str, folder: Path) -> dict[str, str]:
    settings = simulator_settings(f"sqlite:///{folder}/s.sqlite3", aws_endpoint_url=endpoint)
    make, _ = BAD[name]
    return clean_environment({**settings_to_env(settings), **make(folder)})


def run(env: dict[str, str], *args: str) -> tuple[int | None, str]:
    """The command's exit code (None: still running after a minute, then stopped) and
    all it wrote."""
    process = subprocess.Popen(
        [sys.executable, "-m", "connector.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        output, _ = process.communicate(timeout=60)
        return process.returncode, output.decode()
    except subprocess.TimeoutExpired:
        stop_process(process, signal.SIGTERM)
        rest, _ = process.communicate()
        return None, rest.decode()


@pytest.mark.parametrize("name", sorted(BAD))
def test_serve_with_a_bad_setting_exits_2_before_listening_or_syncing(
    name: str, simulator_endpoint: str, tmp_path: Path
) -> None:
    code, output = run(
        bad_env(name, simulator_endpoint, tmp_path), "serve", "--port", str(free_port())
    )
    assert code == 2, output
    assert output.count(BAD[name][1]) == 1, output
    assert "Traceback" not in output
    assert "Listening at" not in output
    assert "sync process" not in output
    assert not (tmp_path / "s.sqlite3").exists()  # the store was not even opened


@pytest.mark.parametrize("command", ["check", "sync"])
@pytest.mark.parametrize("name", sorted(BAD))
def test_check_and_sync_refuse_the_same_bad_setting(
    name: str, command: str, simulator_endpoint: str, tmp_path: Path
) -> None:
    code, output = run(bad_env(name, simulator_endpoint, tmp_path), command)
    assert code == 2, output
    assert BAD[name][1] in output
    assert "Traceback" not in output
    assert not (tmp_path / "s.sqlite3").exists()
