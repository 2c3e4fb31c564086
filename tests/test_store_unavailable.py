"""A store that cannot answer (connection dropped, file locked or corrupted): 503, never a 500.

Each case serves the app over a real socket, so what is asserted is what a
client receives, including for failures after the view built its answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from connector.store.store import Store
from scim.app import create_app
from tests.conftest import POSTGRES_URL
from tests.serving import served_app
from tests.simulation import Synced, simulator_settings, synced


def assert_unavailable(response: requests.Response) -> None:
    """A SCIM error body (RFC 7644 §3.12) saying 503, and when to come back."""
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"].startswith("application/scim+json")
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == "503"


@pytest.fixture
def postgres_synced(postgres_url: str) -> Iterator[Synced]:
    found = synced(postgres_url)
    yield found
    found.store.close()


@pytest.mark.postgres
def test_a_read_whose_commit_fails_answers_503_not_an_html_500(
    postgres_synced: Synced,
) -> None:
    store = postgres_synced.store
    admin = sa.create_engine(POSTGRES_URL)
    armed = {"drop": False}

    def drop_connection_before_commit(connection: sa.Connection) -> None:
        # The PostgreSQL server ends the request's session just before its
        # COMMIT, as a restart or a network cut would.
        if not armed["drop"]:
            return
        armed["drop"] = False
        pid = connection.connection.dbapi_connection.info.backend_pid
        with admin.begin() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})

    sa.event.listen(store.engine, "commit", drop_connection_before_commit)
    app = create_app(simulator_settings(postgres_synced.url), store=store)
    try:
        with served_app(app) as base:
            armed["drop"] = True
            dropped = requests.get(
                f"{base}/scim/v2/Users?count=2", headers=postgres_synced.headers(), timeout=30
            )
            assert not armed["drop"], "the request committed nothing"
            assert_unavailable(dropped)
            again = requests.get(
                f"{base}/scim/v2/Users?count=2", headers=postgres_synced.headers(), timeout=30
            )
            assert again.status_code == 200
    finally:
        app.extensions["idcc_provisioner"].close()
        admin.dispose()


def test_a_write_behind_a_held_sqlite_write_lock_answers_503(tmp_path: Path) -> None:
    found = synced(f"sqlite:///{tmp_path}/store.sqlite3")
    store = found.store

    def short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        # The store waits 30 s for the lock; the test need not.
        dbapi_connection.execute("PRAGMA busy_timeout=500")

    sa.event.listen(store.engine, "connect", short_busy_timeout)
    store.engine.dispose()
    app = create_app(simulator_settings(found.url), store=store)
    holder = sqlite3.connect(tmp_path / "store.sqlite3", isolation_level=None)
    try:
        with served_app(app) as base:
            holder.execute("BEGIN IMMEDIATE")
            locked = requests.post(
                f"{base}/scim/v2/Groups",
                json={
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": "x",
                },
                headers=found.headers(),
                timeout=60,
            )
            assert_unavailable(locked)
    finally:
        holder.close()
        app.extensions["idcc_provisioner"].close()
        store.close()


def corrupt_users_table(path: Path) -> None:
    """Overwrite the users table's root page, as a disk fault would, leaving the rest."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'users'"
        ).fetchone()[0]
    connection.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)


@pytest.fixture
def corrupted(tmp_path: Path) -> Iterator[Synced]:
    """A synced SQLite store whose served users cannot be read; opened afresh."""
    path = tmp_path / "store.sqlite3"
    found = synced(f"sqlite:///{path}")
    found.store.close()
    corrupt_users_table(path)
    store = Store.open(found.url, migrate=False)
    yield Synced(found.url, store, found.token)
    store.close()


def test_reads_of_a_corrupted_store_answer_503(corrupted: Synced) -> None:
    app = create_app(simulator_settings(corrupted.url), store=corrupted.store)
    with served_app(app) as base:
        users = requests.get(f"{base}/scim/v2/Users", headers=corrupted.headers(), timeout=30)
        assert_unavailable(users)
        assert "malformed" not in users.text  # the store's own words stay in the log


def test_ready_is_503_when_the_served_snapshot_cannot_be_read(corrupted: Synced) -> None:
    app = create_app(simulator_settings(corrupted.url), store=corrupted.store)
    with served_app(app) as base:
        ready = requests.get(f"{base}/ready", timeout=30)
    assert ready.status_code == 503, ready.text
    body = ready.json()
    assert body["ready"] is False
    assert body["problems"] == ["the store cannot be read"]
    assert "malformed" not in ready.text
