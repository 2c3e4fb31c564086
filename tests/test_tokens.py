"""Tokens are shown once, stored as hashes, and stop working when revoked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from connector.store import tables
from connector.store.store import Store
from connector.tokens import TokenError, create_token, list_tokens, revoke_token, verify_token


def test_created_token_verifies_with_its_scope(store: Store) -> None:
    token = create_token(store, "sailpoint", "write")
    info = verify_token(store, token)
    assert info is not None and (info.name, info.scope) == ("sailpoint", "write")


def test_only_the_hash_is_stored(store: Store) -> None:
    token = create_token(store, "iiq", "read")
    with store.engine.connect() as connection:
        stored = connection.execute(sa.select(tables.api_tokens)).one()
    assert token not in str(tuple(stored))
    assert len(stored.token_hash) == 64


def test_unknown_and_revoked_tokens_are_refused(store: Store) -> None:
    token = create_token(store, "old", "read")
    assert verify_token(store, token + "x") is None
    revoke_token(store, "old")
    assert verify_token(store, token) is None
    assert [t.revoked_at is not None for t in list_tokens(store)] == [True]


def test_names_and_scopes_are_validated(store: Store) -> None:
    with pytest.raises(TokenError, match="scope"):
        create_token(store, "x", "admin")
    with pytest.raises(TokenError, match="name"):
        create_token(store, "bad name!", "read")
    create_token(store, "dup", "read")
    with pytest.raises(TokenError, match="exists"):
        create_token(store, "dup", "read")
    with pytest.raises(TokenError, match="no active token"):
        revoke_token(store, "nobody")
