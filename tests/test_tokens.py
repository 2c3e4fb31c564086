"""Tokens are shown once, stored as hashes, and stop working when revoked, expired or
rotated; a revoked token's name can be given again."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from connector.config import Settings
from connector.store import tables
from connector.store.store import Store, utcnow
from connector.tokens import (
    TokenError,
    create_token,
    list_tokens,
    revoke_token,
    rotate_token,
    verify_token,
)
from scim.app import create_app
from tests.serving import wait_for


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


def test_a_revoked_tokens_name_can_be_given_again(store: Store) -> None:
    old = create_token(store, "sailpoint", "read")
    revoke_token(store, "sailpoint")
    new = create_token(store, "sailpoint", "write")
    assert verify_token(store, old) is None
    info = verify_token(store, new)
    assert info is not None and (info.name, info.scope) == ("sailpoint", "write")
    assert [(t.name, t.state(utcnow())) for t in list_tokens(store)] == [("sailpoint", "active")]


def test_an_expired_token_is_refused_with_401_and_listed_as_expired(store: Store) -> None:
    app = create_app(Settings(region="us-east-1", database_url="sqlite://"), store=store)
    client = app.test_client()
    lasting = create_token(store, "lasting", "read", expires_in=timedelta(days=90))
    brief = create_token(store, "brief", "read", expires_in=timedelta(seconds=1))

    def answer(token: str) -> int:
        return client.get(
            "/scim/v2/Users", headers={"Authorization": f"Bearer {token}"}
        ).status_code

    wait_for(lambda: answer(brief) == 401, timeout=30, what="the one-second token expires")
    assert answer(lasting) != 401
    states = {t.name: t.state(utcnow()) for t in list_tokens(store)}
    assert states == {"brief": "expired", "lasting": "active"}
    # An expired token's name is free again, like a revoked one's.
    assert verify_token(store, create_token(store, "brief", "read")) is not None


def test_rotating_a_token_stops_its_old_value_and_keeps_its_scope_and_lifetime(
    store: Store,
) -> None:
    old = create_token(store, "okta", "write", expires_in=timedelta(days=30))
    new = rotate_token(store, "okta")
    assert new != old
    assert verify_token(store, old) is None
    info = verify_token(store, new)
    assert info is not None and info.scope == "write" and info.expires_at is not None
    assert info.expires_at - info.created_at == timedelta(days=30)
    shorter = rotate_token(store, "okta", expires_in=timedelta(days=7))
    assert verify_token(store, new) is None
    info = verify_token(store, shorter)
    assert info is not None and info.expires_at is not None
    assert info.expires_at - info.created_at == timedelta(days=7)
    revoke_token(store, "okta")
    with pytest.raises(TokenError, match="no token named 'okta' to rotate"):
        rotate_token(store, "okta")
