"""Migration 0012: tokens created before expiry existed keep working, and never expire."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa

from connector.store.engine import create_engine, migrate
from connector.store.store import Store
from connector.tokens import list_tokens, verify_token


def test_tokens_from_before_the_upgrade_keep_working_and_never_expire(store_url: str) -> None:
    engine = create_engine(store_url)
    migrate(engine, "0009")
    token = "idcc_" + "a" * 43
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO api_tokens (name, scope, token_hash, created_at) "
                "VALUES ('iga', 'write', :digest, :created)"
            ),
            {
                "digest": hashlib.sha256(token.encode()).hexdigest(),
                "created": datetime(2026, 1, 1, tzinfo=UTC),
            },
        )
    engine.dispose()
    store = Store.open(store_url)
    try:
        info = verify_token(store, token)
        assert info is not None and (info.name, info.scope, info.expires_at) == (
            "iga",
            "write",
            None,
        )
        assert [t.state(datetime.now(UTC)) for t in list_tokens(store)] == ["active"]
    finally:
        store.close()
