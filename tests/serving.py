"""Helpers for tests that reach the service the way a client does: over a real socket.

`serve_process` runs `idc-connector serve` (gunicorn, and the sync process
unless --no-sync) as a child with its log in a file; `served_app` serves an
app built in the test over werkzeug's server, for tests that inject a store or
hooks into it. Tests wait with `wait_for`, never a fixed sleep: the machine
running them may be busy.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
from flask import Flask
from werkzeug.serving import make_server

T = TypeVar("T")


def wait_for(check: Callable[[], T | None], *, timeout: float, what: str) -> T:
    """The first truthy answer of `check`, asked until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_environment(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without IDCC_ and AWS_ variables, plus `settings`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("IDCC_", "AWS_"))}
    return {**clean, **settings}


@dataclass(frozen=True)
class ServeProcess:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def log_records(self) -> list[dict[str, Any]]:
        """Each line of the log as the JSON object it must be (a line that is not one
        fails), but for a last line still being written."""
        text = self.log_text()
        lines = text.splitlines()
        if not text.endswith("\n"):
            lines = lines[:-1]
        records = []
        for number, line in enumerate(lines, 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise AssertionError(f"log line {number} is not JSON: {line!r}") from None
            assert isinstance(record, dict), line
            assert {"time", "level", "logger", "message"} <= set(record), line
            records.append(record)
        return records


@contextmanager
def serve_process(env: Mapping[str, str], log: Path, *args: str) -> Iterator[ServeProcess]:
    """`idc-connector serve ARGS` on a free port, once it answers /health; stopped after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "serve", "--port", str(port), *args],
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    served = ServeProcess(process, url, log)
    try:

        def answers() -> bool:
            assert process.poll() is None, f"serve exited: {served.log_text()}"
            return answers_ok(f"{url}/health")

        wait_for(answers, timeout=60, what="serve answers /health")
        yield served
    finally:
        stop_process(process, signal.SIGTERM)


def answers_ok(url: str) -> bool:
    """Whether GET `url` answers 200; False while nothing listens there yet, or while
    a busy machine keeps the answer longer than a few seconds (asked again)."""
    try:
        return requests.get(url, timeout=5).status_code == 200
    except (requests.ConnectionError, requests.Timeout):
        return False


def stop_process(process: subprocess.Popen[Any], signum: int) -> None:
    """Ask `process` to stop with `signum` (it then stops what it started); killed after 90 s."""
    if process.poll() is None:
        process.send_signal(signum)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@contextmanager
def served_app(app: Flask) -> Iterator[str]:
    """`app` over HTTP on 127.0.0.1 (werkzeug's threaded server); yields its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def raw_exchange(url: str, data: bytes, *, timeout: float = 30) -> bytes:
    """Send `data` as is to the server at `url` and read its answer until it closes."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def child_processes(parent: int) -> dict[int, str]:
    """The live (not zombie) children of process `parent`: pid -> command line (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:  # ended meanwhile
            continue
        # Fields after the command name, which is in parentheses and may hold spaces.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == parent and state != "Z":
            found[int(entry.name)] = command
    return found


def process_exists(pid: int) -> bool:
    """Whether `pid` is a process, zombies included (an unreaped child still exists)."""
    return Path(f"/proc/{pid}").exists()
