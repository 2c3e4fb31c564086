"""Several replicas of `serve` on one PostgreSQL store: one sync leader for the fleet.

Three real `idc-connector serve` processes (each with its web workers and its
sync process) share a store and the simulated Identity Center, a process of
its own. The syncs table says who synced and when; /ready says which replica
leads. A killed leader is a replica whose every process is SIGKILLed at once,
as when its host is lost.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from connector.config import settings_to_env
from connector.leadership import LEASE_HEARTBEATS
from connector.store import leases
from connector.store.store import Store
from connector.store.sync_log import SyncRecord
from connector.tokens import create_token
from tests.serving import (
    ServeProcess,
    child_processes,
    clean_environment,
    serve_process,
    wait_for,
)
from tests.simulation import simulator_settings

pytestmark = pytest.mark.postgres

INTERVAL = 3  # seconds between full syncs
HEARTBEAT = 2  # the sync lease's heartbeat
REPLICAS = 3
# Time for a busy machine to run a claim, on top of the bound the design promises.
SLACK = 5.0
# How late a due sync may start on a busy machine: the leader builds its AWS
# clients and the feed's last poll ends before the sync records its start.
LATE = 15.0


@dataclass(frozen=True)
class Fleet:
    store: Store
    replicas: list[ServeProcess]
    env: dict[str, str]  # the replicas' environment, for the CLI's commands


@pytest.fixture
def fleet(postgres_url: str, simulator_endpoint: str, tmp_path: Path) -> Iterator[Fleet]:
    settings = simulator_settings(
        postgres_url,
        aws_endpoint_url=simulator_endpoint,
        # With a change feed the full sync's interval is the reconciliation's, which
        # may be seconds long; the feed is then the other thing only the leader runs.
        change_source="cloudtrail",
        change_poll_interval="1s",
        reconcile_interval=f"{INTERVAL}s",
        lookup_events_rps="100",
        leader_heartbeat=f"{HEARTBEAT}s",
    )
    env = clean_environment({**settings_to_env(settings), "IDCC_LOG_FORMAT": "json"})
    store = Store.open(postgres_url)
    with ExitStack() as stack:
        replicas = [
            stack.enter_context(serve_process(env, tmp_path / f"serve{n}.log", "--workers", "1"))
            for n in range(REPLICAS)
        ]
        yield Fleet(store, replicas, env)
    store.close()


def ready(replica: ServeProcess) -> dict[str, Any]:
    body: dict[str, Any] = requests.get(f"{replica.url}/ready", timeout=30).json()
    return body


def leaders(replicas: list[ServeProcess]) -> list[ServeProcess]:
    return [r for r in replicas if ready(r)["sync_leader"]["this_replica"]]


def one_leader(replicas: list[ServeProcess]) -> ServeProcess | None:
    found = leaders(replicas)
    assert len(found) <= 1, f"{len(found)} replicas say they lead"
    return found[0] if found else None


def succeeded(store: Store) -> list[SyncRecord]:
    """The syncs that succeeded, oldest first."""
    return sorted((s for s in store.syncs(limit=100) if s.outcome == "succeeded"), key=_id)


def at_least(count: int, syncs: list[SyncRecord]) -> list[SyncRecord] | None:
    return syncs if len(syncs) >= count else None


def _id(sync: SyncRecord) -> int:
    return sync.id


def sync_process(replica: ServeProcess) -> int:
    children = child_processes(replica.process.pid)
    (pid,) = [p for p, command in children.items() if "connector.cli sync --loop" in command]
    return pid


def assert_no_overlap(syncs: list[SyncRecord]) -> None:
    """Each sync started once the one before it had ended."""
    for before, after in pairwise(syncs):
        assert before.finished_at is not None, before
        assert after.started_at >= before.finished_at, (before, after)


def test_three_replicas_make_one_sync_per_interval(fleet: Fleet) -> None:
    store, replicas = fleet.store, fleet.replicas
    syncs = wait_for(lambda: at_least(4, succeeded(store)), timeout=180, what="four syncs")
    leader = wait_for(lambda: one_leader(replicas), timeout=30, what="a leader")

    recorded = [s for s in store.syncs(limit=100) if s.id <= syncs[-1].id]
    assert {s.outcome for s in recorded} == {"succeeded"}
    assert_no_overlap(syncs)
    # One sync per interval: each began an interval after the one before ended, not
    # sooner (three replicas syncing each would), and not much later (the schedule is kept).
    for before, after in pairwise(syncs):
        assert before.finished_at is not None
        gap = (after.started_at - before.finished_at).total_seconds()
        assert INTERVAL - 0.1 <= gap <= INTERVAL + LATE, (before, after)
    # All by the leader's sync process; the others only follow.
    leading = sync_process(leader)
    with store.reading() as connection:
        rows = connection.exec_driver_sql("SELECT DISTINCT pid, leader_term FROM syncs").all()
        lease = leases.current(connection, leases.SYNC)
    assert lease is not None
    assert [tuple(row) for row in rows] == [(leading, lease.term)]

    status = subprocess.run(
        [sys.executable, "-m", "connector.cli", "status", "--limit", "1"],
        env=fleet.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr
    (line,) = [x for x in status.stdout.splitlines() if x.startswith("sync leader")]
    assert line.split()[2] == f"{socket.gethostname()}:{leader.process.pid}", line
    assert f"term {lease.term}" in line

    token = create_token(store, "prometheus", "metrics")
    leads = [leader_gauge(replica, token) for replica in replicas]
    assert sorted(leads) == [0.0] * (REPLICAS - 1) + [1.0]
    assert leads[replicas.index(leader)] == 1.0
    for replica in replicas:
        body = ready(replica)
        assert body["ready"] is True, body
        assert body["snapshot"]["age_seconds"] < INTERVAL + LATE + 30
        assert body["sync_leader"]["term"] == lease.term


def leader_gauge(replica: ServeProcess, token: str) -> float:
    answer = requests.get(
        f"{replica.url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    for family in text_string_to_metric_families(answer.text):
        if family.name == "idcc_sync_leader":
            (sample,) = family.samples
            return float(sample.value)
    raise AssertionError("no idcc_sync_leader in /metrics")


def test_a_killed_leader_is_replaced_within_two_heartbeats_and_a_half(fleet: Fleet) -> None:
    store, replicas = fleet.store, fleet.replicas
    first = wait_for(lambda: succeeded(store), timeout=120, what="a first sync")[0]
    leader = wait_for(lambda: one_leader(replicas), timeout=30, what="a leader")

    # The whole replica at once, as when its host is lost: nothing releases the lease.
    victims = [sync_process(leader), *child_processes(leader.process.pid), leader.process.pid]
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    leader.process.wait(timeout=30)
    with store.reading() as connection:
        dead = leases.current(connection, leases.SYNC)
    assert dead is not None

    survivors = [r for r in replicas if r is not leader]
    successor = wait_for(lambda: one_leader(survivors), timeout=60, what="a new leader")
    with store.reading() as connection:
        taken = leases.current(connection, leases.SYNC)
    assert taken is not None and taken.term > dead.term
    # On the store's clock: taken over only once the dead leader's lease had expired,
    # and within half a heartbeat of it (a follower's try), give or take a busy machine.
    # The lease lasted two heartbeats from its last renewal, so the whole handover
    # took at most two and a half heartbeats from the leader's death.
    waited = (taken.acquired_at - dead.expires_at).total_seconds()
    assert 0 <= waited <= HEARTBEAT / 2 + SLACK, waited
    assert (dead.expires_at - dead.now).total_seconds() <= LEASE_HEARTBEATS * HEARTBEAT

    # The successor syncs on the same schedule, and no two syncs ever overlapped.
    by_successor = wait_for(
        lambda: [s for s in succeeded(store) if s.id > first.id and s.started_at > dead.expires_at],
        timeout=120,
        what="a sync by the new leader",
    )
    with store.reading() as connection:
        (pid, term) = connection.exec_driver_sql(
            f"SELECT pid, leader_term FROM syncs WHERE id = {by_successor[0].id}"
        ).one()
    assert (pid, term) == (sync_process(successor), taken.term)
    everything = sorted(store.syncs(limit=100), key=_id)
    assert_no_overlap([s for s in everything if s.outcome != "running"])
    assert ready(successor)["sync_leader"]["this_replica"] is True
