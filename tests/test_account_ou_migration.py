"""Migration 0016: a store made before accounts had an OU keeps its accounts, which
read as in an unknown OU, and then holds an account's OU."""

from __future__ import annotations

from datetime import UTC, datetime

from connector.records import Account
from connector.store import reads, write_through
from connector.store import tables as t
from connector.store.engine import create_engine, migrate

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def test_accounts_stored_before_the_upgrade_read_back_and_take_an_ou(store_url: str) -> None:
    engine = create_engine(store_url)
    migrate(engine, "0015")
    with engine.begin() as connection:  # the columns 0015 has, named by the tables
        connection.execute(
            t.syncs.insert().values(
                id=1,
                started_at=NOW,
                finished_at=NOW,
                heartbeat_at=NOW,
                outcome="succeeded",
                host="h",
                pid=1,
                identity_store_id="d-1234567890",
            )
        )
        connection.execute(
            t.accounts.insert().values(
                snapshot_id=1,
                id="111122223333",
                name="Production",
                email="prod@example.com",
                status="ACTIVE",
            )
        )
    migrate(engine)
    placed = Account(
        "111122223333",
        "Production",
        "prod@example.com",
        "ACTIVE",
        "ou-ab12-34cd56ef",
        "Prod",
        "Root/Workloads/Prod",
    )
    with engine.begin() as connection:
        before = reads.accounts(connection, 1, ["111122223333"])["111122223333"]
        write_through.put_account(connection, placed, NOW, 1)
        after = reads.accounts(connection, 1, ["111122223333"])["111122223333"]
    engine.dispose()

    assert before == Account("111122223333", "Production", "prod@example.com", "ACTIVE")
    assert after == placed
