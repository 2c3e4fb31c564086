"""`idc-connector demo` holds its folder and its port: a second demo leaves the first alone.

Every demo here is the real command in a process of its own, with its own
simulator, as an operator starts it twice by mistake.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
import requests

from tests.serving import (
    ServeProcess,
    answers_ok,
    clean_environment,
    free_port,
    stop_process,
    wait_for,
)


def read_token(demo: ServeProcess) -> str | None:
    for line in demo.log_text().splitlines():
        if line.startswith("read token: "):
            return line.removeprefix("read token: ")
    return None


def start_demo(folder: Path, port: int, output: Path) -> subprocess.Popen[bytes]:
    with output.open("w") as stream:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "connector.cli",
                "demo",
                "--port",
                str(port),
                "--data-dir",
                str(folder),
            ],
            stdout=stream,
            stderr=subprocess.STDOUT,
            env=clean_environment({}),
        )


def run_demo(folder: Path, port: int, output: Path) -> tuple[int | None, str]:
    """A demo's exit code (None: it was still running after two minutes, and was then
    stopped) and what it printed."""
    process = start_demo(folder, port, output)
    try:
        code: int | None = process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        stop_process(process, signal.SIGINT)
    return code, output.read_text(encoding="utf-8")


@contextmanager
def serving_demo(folder: Path) -> Iterator[ServeProcess]:
    """A demo serving its synced store from `folder`, on a free port, until the block ends."""
    port = free_port()
    output = folder / "demo.out"
    process = start_demo(folder / "demo", port, output)
    demo = ServeProcess(process, f"http://127.0.0.1:{port}", output)
    try:

        def serving() -> bool:
            assert process.poll() is None, demo.log_text()
            return "serving on" in demo.log_text() and answers_ok(f"{demo.url}/ready")

        wait_for(serving, timeout=120, what="the demo serves a synced store")
        yield demo
    finally:
        stop_process(process, signal.SIGINT)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[ServeProcess]:
    with serving_demo(tmp_path) as demo:
        yield demo


def users_answer(demo: ServeProcess) -> int:
    response = requests.get(
        f"{demo.url}/scim/v2/Users?count=1",
        headers={"Authorization": f"Bearer {read_token(demo)}"},
        timeout=30,
    )
    return response.status_code


def test_a_second_demo_in_the_same_folder_refuses_and_leaves_the_first_serving(
    running: ServeProcess, tmp_path: Path
) -> None:
    store = tmp_path / "demo" / "demo.sqlite3"
    inode = store.stat().st_ino

    code, printed = run_demo(tmp_path / "demo", free_port(), tmp_path / "second.out")

    assert code == 2, printed
    assert "another demo is running in" in printed
    assert f"(pid {running.process.pid})" in printed
    assert "serving on" not in printed
    assert "Traceback" not in printed
    assert store.stat().st_ino == inode  # the running demo's store is the same file
    assert users_answer(running) == 200  # and its tokens still work


def test_a_demo_on_a_port_in_use_refuses_before_touching_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    earlier = folder / "demo.sqlite3"
    earlier.write_text("an earlier demo's store")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        code, printed = run_demo(folder, port, tmp_path / "demo.out")

    assert code == 2, printed
    assert f"127.0.0.1:{port} is in use" in printed
    assert "serving on" not in printed
    assert "starting a simulated" not in printed
    assert "Traceback" not in printed
    assert earlier.read_text() == "an earlier demo's store"


def printed_after(demo: ServeProcess, label: str) -> str:
    """The value the demo printed after `label` on a line of its own."""
    return next(
        line.removeprefix(label).split()[0]
        for line in demo.log_text().splitlines()
        if line.startswith(label)
    )


def test_the_demo_says_where_its_store_and_simulated_aws_are(running: ServeProcess) -> None:
    store_url = printed_after(running, "the demo's store: ")
    status = subprocess.run(
        [sys.executable, "-m", "connector.cli", "status"],
        env=clean_environment({"IDCC_DATABASE_URL": store_url}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
    assert " succeeded " in status.stdout  # the demo's first sync, read from its ledger

    endpoint = printed_after(running, "the simulated AWS: ")
    aws = boto3.client(
        "sso-admin",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
    )
    instances = aws.list_instances()["Instances"]
    shown = requests.get(
        f"{running.url}/scim/v2/Users?count=1",
        headers={"Authorization": f"Bearer {read_token(running)}"},
        timeout=30,
    ).json()
    assert len(instances) == 1 and shown["totalResults"] > 0


def test_the_demos_examples_run_as_printed_in_a_shell(running: ServeProcess) -> None:
    examples = [line.strip() for line in running.log_text().splitlines() if "curl -s" in line]
    assert len(examples) == 4, running.log_text()
    for example in examples:
        # Outside quotes no character a shell expands: zsh refuses an unmatched `?`.
        unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "", example)
        assert not set(unquoted) & set("?&*[]"), example
        ran = subprocess.run(
            ["sh", "-c", example + " -o /dev/null -w '%{http_code}'"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ran.stdout in ("200", "202"), (example, ran.stdout, ran.stderr)


def test_make_demo_passes_a_port() -> None:
    def command(*args: str) -> str:
        planned = subprocess.run(
            ["make", "--no-print-directory", "--dry-run", "--always-make", "demo", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            cwd=Path(__file__).parent.parent,
        )
        return planned.stdout.strip().splitlines()[-1]

    assert command("PORT=9000").endswith("idc-connector demo --port 9000")
    assert command().endswith("idc-connector demo")
