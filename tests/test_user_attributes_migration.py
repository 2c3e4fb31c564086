"""Migration 0010: a store made before users had roles and photos keeps its users,
which read as having none, and then holds a user's roles and photos."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from connector.records import Photo, Role, User
from connector.store import reads, write_through
from connector.store.engine import create_engine, migrate

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def test_users_stored_before_the_upgrade_read_back_and_take_roles_and_photos(
    store_url: str,
) -> None:
    engine = create_engine(store_url)
    migrate(engine, "0009")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO syncs (id, started_at, finished_at, heartbeat_at, outcome, host, "
                "pid, identity_store_id) VALUES (1, :now, :now, :now, 'succeeded', 'h', 1, "
                "'d-1234567890')"
            ),
            {"now": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO users (snapshot_id, id, user_name, display_name, enterprise) "
                "VALUES (1, 'u-1', 'ada', 'Ada', :enterprise)"
            ),
            {"enterprise": '{"department": "Mathematics"}'},
        )
    migrate(engine)
    with engine.begin() as connection:
        before = reads.users(connection, 1, ["u-1"])["u-1"]
        write_through.put_user(
            connection,
            User(
                id="u-1",
                user_name="ada",
                display_name="Ada",
                roles=(Role("Researcher", "work", True),),
                photos=(Photo("https://example.com/ada.png", "photo", "Ada", True),),
            ),
            NOW,
            1,
        )
        after = reads.users(connection, 1, ["u-1"])["u-1"]
    engine.dispose()

    assert (before.user_name, before.enterprise, before.roles, before.photos) == (
        "ada",
        {"department": "Mathematics"},
        (),
        (),
    )
    assert after.roles == (Role("Researcher", "work", True),)
    assert after.photos == (Photo("https://example.com/ada.png", "photo", "Ada", True),)
