"""`serve` keeps its sync process running: restarted when it dies, stopped with the service.

The simulated Identity Center runs as its own process and `serve` is the real
command, so the kill is a real SIGKILL and the processes are real processes.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from connector.config import settings_to_env
from connector.store import leases
from connector.store.store import Store
from scim.demo import start_simulator
from scim.sync_supervisor import Backoff, SyncSupervisor
from tests.serving import (
    ServeProcess,
    child_processes,
    clean_environment,
    process_exists,
    serve_process,
    wait_for,
)
from tests.simulation import simulator_settings


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[str]:
    process, endpoint = start_simulator("tiny", tmp_path / "manifest.json")
    yield endpoint
    process.terminate()
    process.wait(timeout=30)


def sync_processes(served: ServeProcess) -> list[int]:
    children = child_processes(served.process.pid)
    return [pid for pid, command in children.items() if "connector.cli sync --loop" in command]


def workers(served: ServeProcess) -> list[int]:
    children = child_processes(served.process.pid)
    return [pid for pid, command in children.items() if "connector.cli serve" in command]


def one_sync_process(served: ServeProcess) -> int | None:
    found = sync_processes(served)
    assert len(found) <= 1, f"more than one sync process: {found}"
    return found[0] if found else None


def log_records(served: ServeProcess, message: str) -> list[dict[str, Any]]:
    return [record for record in served.log_records() if record["message"] == message]


def test_a_killed_sync_process_is_restarted_and_stopped_with_the_service(
    simulator: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    env = clean_environment(
        {
            **settings_to_env(simulator_settings(url, aws_endpoint_url=simulator)),
            "IDCC_LOG_FORMAT": "json",
        }
    )
    store = Store.open(url)

    def succeeded() -> bool:
        latest = next(iter(store.syncs(limit=1)), None)
        return latest is not None and latest.outcome == "succeeded"

    def leads_in_term_after(term: int) -> int | None:
        """The sync lease's term, once this replica leads in one after `term`."""
        leader = requests.get(f"{served.url}/ready", timeout=30).json()["sync_leader"]
        return leader["term"] if leader["this_replica"] and leader["term"] > term else None

    with serve_process(env, tmp_path / "serve.log", "--workers", "1") as served:
        wait_for(succeeded, timeout=120, what="a first sync")
        first = wait_for(lambda: one_sync_process(served), timeout=30, what="a sync process")
        first_term = wait_for(lambda: leads_in_term_after(0), timeout=30, what="it leads")

        os.kill(first, signal.SIGKILL)

        def replaced() -> int | None:
            found = one_sync_process(served)
            return found if found not in (None, first) else None

        second = wait_for(replaced, timeout=60, what="a new sync process")
        # The new one takes its replica's lease over at once (a new term) and syncs
        # when a sync is due, an interval after the last (connector.sync_loop).
        wait_for(lambda: leads_in_term_after(first_term), timeout=60, what="the new one leads")
        ended = wait_for(
            lambda: log_records(served, "the sync process ended; it is restarted"),
            timeout=30,
            what="the restart logged",
        )
        assert ended[0]["pid"] == first
        assert ended[0]["signal"] == "SIGKILL"
        assert ended[0]["exit_code"] is None
        assert ended[0]["restart_in_seconds"] > 0
        assert requests.get(f"{served.url}/ready", timeout=30).status_code == 200

        # A worker that ends takes nothing of the supervision with it.
        (worker,) = wait_for(lambda: workers(served), timeout=30, what="a worker")
        os.kill(worker, signal.SIGTERM)
        wait_for(
            lambda: [w for w in workers(served) if w != worker],
            timeout=60,
            what="a new worker",
        )
        wait_for(lambda: not process_exists(worker), timeout=30, what="the old worker gone")
        assert sync_processes(served) == [second]

    assert served.process.returncode == 0, served.log_text()
    assert not process_exists(second), "the sync process outlived the service"
    stopped = log_records(served, "the sync process stopped")
    assert [record["pid"] for record in stopped] == [second]
    store.close()


def restarts(
    caplog: pytest.LogCaptureFixture, script: str, backoff: Backoff, count: int
) -> list[logging.LogRecord]:
    """The first `count` restarts of a process running `script`, stepping the
    master's loop every 50 ms."""
    caplog.set_level(logging.INFO, logger="scim.sync_supervisor")
    supervisor = SyncSupervisor([sys.executable, "-c", script], dict(os.environ), backoff)

    def logged() -> list[logging.LogRecord] | None:
        supervisor.manage()
        message = "the sync process ended; it is restarted"
        records = [r for r in caplog.records if r.getMessage() == message]
        if len(records) >= count:
            return records[:count]
        time.sleep(0.05)
        return None

    try:
        return wait_for(logged, timeout=60, what=f"{count} restarts")
    finally:
        supervisor.stop(10)


def test_a_process_that_keeps_ending_is_restarted_ever_later_up_to_the_longest_delay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ended = restarts(caplog, "import sys; sys.exit(3)", Backoff(0.2, 0.8, healthy_after=30), 5)
    assert [r.restart_in_seconds for r in ended] == [0.2, 0.4, 0.8, 0.8, 0.8]
    assert {(r.exit_code, r.signal) for r in ended} == {(3, None)}
    started = [r for r in caplog.records if r.getMessage() == "the sync process started"]
    assert len(started) >= 5


def test_a_process_that_ran_long_enough_is_restarted_after_the_first_delay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    script = "import sys, time; time.sleep(0.6); sys.exit(1)"
    ended = restarts(caplog, script, Backoff(0.1, 10, healthy_after=0.5), 3)
    assert [r.restart_in_seconds for r in ended] == [0.1, 0.1, 0.1]


def test_a_process_that_ignores_the_request_to_stop_is_killed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="scim.sync_supervisor")
    ready = tmp_path / "ignoring"
    supervisor = SyncSupervisor(
        [
            sys.executable,
            "-c",
            "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "pathlib.Path(sys.argv[1]).touch(); time.sleep(120)",
            str(ready),
        ],
        dict(os.environ),
    )
    supervisor.manage()
    wait_for(ready.exists, timeout=30, what="the process ignores SIGTERM")
    pid = supervisor.pid
    supervisor.stop(0.5)
    assert pid is not None and not process_exists(pid)
    (stopped,) = [r for r in caplog.records if r.getMessage() == "the sync process stopped"]
    assert stopped.signal == "SIGKILL"
    supervisor.manage()
    assert supervisor.pid is None  # stopped for good: nothing restarts it


def test_the_sync_process_stops_and_gives_up_the_lead_when_serve_is_killed(
    simulator: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    env = clean_environment(settings_to_env(simulator_settings(url, aws_endpoint_url=simulator)))
    store = Store.open(url)
    with serve_process(env, tmp_path / "serve.log", "--workers", "1") as served:
        syncing = wait_for(lambda: one_sync_process(served), timeout=30, what="a sync process")
        wait_for(lambda: lease_held(store), timeout=60, what="it leads")

        os.kill(served.process.pid, signal.SIGKILL)  # its workers end by themselves

        wait_for(lambda: not running(syncing), timeout=30, what="the orphan sync process ends")
        assert not lease_held(store), "the lease outlived its replica"
    store.close()


def lease_held(store: Store) -> bool:
    with store.reading() as connection:
        lease = leases.current(connection, leases.SYNC)
    return lease is not None and lease.held


def running(pid: int) -> bool:
    """Whether `pid` runs: not gone, and not a zombie left for its new parent to reap."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
