"""What the project ships beside its code: the license, the container image, the systemd unit.

CI has no container engine, so the image is never built there. Instead the
Dockerfile's entry command (ENTRYPOINT + CMD) and its HEALTHCHECK are read
from the file and run as plain processes against a store and the simulated
Identity Center, as the unit's ExecStart is: the address they name (the
image's 0.0.0.0:8080) moved to a free local port, their program found in this
virtualenv. What the image adds around them (the base, the user, the install)
is what only a container engine could test.
"""

from __future__ import annotations

import configparser
import json
import signal
import subprocess
import sys
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest

from connector.config import settings_to_env
from tests.serving import answers_ok, clean_environment, free_port, stop_process, wait_for
from tests.simulation import simulator_settings

ROOT = Path(__file__).resolve().parent.parent


def dockerfile() -> dict[str, str]:
    """Each instruction of the Dockerfile (the last of each kind), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    instructions = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            instructions[keyword.upper()] = rest.strip()
    return instructions


def image_command() -> list[str]:
    found = dockerfile()
    return list(json.loads(found["ENTRYPOINT"])) + list(json.loads(found["CMD"]))


def image_health_check() -> list[str]:
    _options, _, command = dockerfile()["HEALTHCHECK"].partition(" CMD ")
    assert command, "HEALTHCHECK has no CMD"
    return list(json.loads(command))


def unit_command() -> list[str]:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "idc-connector.service")
    return unit["Service"]["ExecStart"].split()


def runnable(command: list[str], port: int) -> list[str]:
    """`command` run from this virtualenv, serving on 127.0.0.1:`port` instead of 0.0.0.0:8080."""
    program = Path(command[0]).name
    found = (
        sys.executable
        if program.startswith("python")
        else str(Path(sys.executable).parent / program)
    )
    return [found] + [
        argument.replace("0.0.0.0", "127.0.0.1").replace("8080", str(port))
        for argument in command[1:]
    ]


def test_the_license_file_is_the_license_pyproject_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # The SPDX form (PEP 639) setuptools no longer warns about, not a table.
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    installed = metadata.metadata("identity-center-connector")
    assert installed["License-Expression"] == "Apache-2.0"


def test_the_image_runs_as_an_unprivileged_user() -> None:
    user = dockerfile()["USER"]
    assert user not in ("root", "0", "")


@pytest.mark.parametrize(("what", "command"), [("image", image_command), ("unit", unit_command)])
def test_the_shipped_entry_command_serves_syncs_and_passes_the_health_check(
    what: str,
    command: Callable[[], list[str]],
    store_url: str,
    simulator_endpoint: str,
    tmp_path: Path,
) -> None:
    entry = command()
    assert entry[0].endswith("idc-connector") and entry[1] == "serve", entry
    port = free_port()
    health = runnable(image_health_check(), port)
    settings = simulator_settings(store_url, aws_endpoint_url=simulator_endpoint)
    env = clean_environment(settings_to_env(settings))

    def healthy() -> bool:
        return subprocess.run(health, env=env, capture_output=True, timeout=30).returncode == 0

    assert not healthy()  # nothing serves yet: the check fails
    log = tmp_path / f"{what}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            runnable(entry, port), env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:

        def serving() -> bool:
            assert process.poll() is None, f"{what}: serve exited: {log.read_text()}"
            return healthy()

        wait_for(serving, timeout=90, what=f"the {what}'s health check passes")
        # It syncs, as the image and the unit run it: the service becomes ready.
        wait_for(
            lambda: answers_ok(f"http://127.0.0.1:{port}/ready"),
            timeout=180,
            what=f"the {what}'s serve is ready",
        )
    finally:
        stop_process(process, signal.SIGTERM)
    assert process.returncode == 0, log.read_text()  # docker stop / systemctl stop: a clean exit
