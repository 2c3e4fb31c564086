"""The simulator is an optional extra: a production install runs without moto or faker."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs the CLI in a process where moto and faker cannot be imported, as after
# `pip install .` without the extra.
WITHOUT_SIMULATOR = """
import sys
sys.modules["moto"] = None
sys.modules["faker"] = None
from connector.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_SIMULATOR, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_a_production_install_does_not_depend_on_moto_or_faker() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [
        d.split("[")[0].split("=")[0].split(">")[0].strip().lower() for d in project["dependencies"]
    ]
    assert "moto" not in names and "faker" not in names
    extra = " ".join(project["optional-dependencies"]["simulator"])
    assert "moto" in extra and "faker" in extra


def test_help_works_without_the_simulator() -> None:
    answer = _cli("--help")
    assert answer.returncode == 0, answer.stderr
    assert "demo" in answer.stdout


def test_demo_without_the_simulator_says_how_to_install_it() -> None:
    for command in ("demo", "simulator"):
        answer = _cli(command)
        assert answer.returncode == 2, answer.stderr
        assert "pip install 'identity-center-connector[simulator]'" in answer.stderr
        assert "Traceback" not in answer.stderr
