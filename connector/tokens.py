"""API tokens: shown once at creation, stored only as a SHA-256 hash.

Tokens are 256 random bits, so a plain SHA-256 (not a slow password hash) is
enough to make a stolen database useless, and it lets a request's token be
found by its hash in one indexed lookup. The final comparison is constant-time.

A token may expire (`expires_at`), and is rotated in place: a new value under the
same name, scope and lifetime, the old value refused from that moment (no grace
period: an IGA platform's token is one setting, changed once). The name of a
revoked or expired token is free again, so a client keeps its name across a
re-issue; the write ledger records operations by token name.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from connector.errors import ConnectorError
from connector.store import tables as t
from connector.store.store import Store, utcnow

# read: the SCIM reads; write: those and the writes; metrics: /metrics alone, for a
# monitoring system (scim.auth).
SCOPES = ("read", "write", "metrics")
TOKEN_PREFIX = "idcc_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")


class TokenError(ConnectorError):
    exit_code = 2


@dataclass(frozen=True)
class TokenInfo:
    name: str
    scope: str
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None

    def state(self, now: datetime) -> str:
        """active, revoked or expired: what `token list` shows."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_value() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _info(row: sa.Row[Any]) -> TokenInfo:
    return TokenInfo(row.name, row.scope, row.created_at, row.revoked_at, row.expires_at)


def create_token(
    store: Store, name: str, scope: str, *, expires_in: timedelta | None = None
) -> str:
    """Store a new token's hash and return the token itself (the only time it is seen).

    A name held by a revoked or expired token is taken over: that record is replaced.
    """
    if not _NAME.match(name):
        raise TokenError(f"token name {name!r}: use letters, digits and _ . @ - (at most 128)")
    if scope not in SCOPES:
        raise TokenError(f"scope {scope!r}: must be one of {', '.join(SCOPES)}")
    token = _new_value()
    now = utcnow()
    values = {
        "scope": scope,
        "token_hash": _digest(token),
        "created_at": now,
        "revoked_at": None,
        "expires_at": None if expires_in is None else now + expires_in,
    }
    with store.writing() as connection:
        row = connection.execute(sa.select(t.api_tokens).where(t.api_tokens.c.name == name)).first()
        if row is None:
            connection.execute(t.api_tokens.insert().values(name=name, **values))
        elif _info(row).state(now) == "active":
            raise TokenError(
                f"a token named {name!r} exists and is active: rotate it (token rotate), "
                "or revoke it before creating it again"
            )
        else:
            connection.execute(
                t.api_tokens.update().where(t.api_tokens.c.name == name).values(**values)
            )
    return token


def rotate_token(store: Store, name: str, *, expires_in: timedelta | None = None) -> str:
    """Give the active token `name` a new value and return it; the old value is refused
    from now on. It keeps its scope, and its lifetime unless `expires_in` is given."""
    token = _new_value()
    now = utcnow()
    with store.writing() as connection:
        row = connection.execute(sa.select(t.api_tokens).where(t.api_tokens.c.name == name)).first()
        if row is None or _info(row).state(now) == "revoked":
            raise TokenError(f"no token named {name!r} to rotate: create it (token create)")
        if expires_in is None and row.expires_at is not None:
            expires_in = row.expires_at - row.created_at
        connection.execute(
            t.api_tokens.update()
            .where(t.api_tokens.c.name == name)
            .values(
                token_hash=_digest(token),
                created_at=now,
                expires_at=None if expires_in is None else now + expires_in,
            )
        )
    return token


_BY_HASH = sa.select(t.api_tokens).where(t.api_tokens.c.token_hash == sa.bindparam("digest"))


def verify_token(store: Store, token: str) -> TokenInfo | None:
    """The token's record if it is valid, not revoked and not expired, else None."""
    with store.reading() as connection:
        return check_token(connection, token)


def check_token(connection: sa.Connection, token: str) -> TokenInfo | None:
    """As verify_token, inside a transaction the caller already holds (one per request)."""
    digest = _digest(token)
    row = connection.execute(_BY_HASH, {"digest": digest}).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    info = _info(row)
    return info if info.state(utcnow()) == "active" else None


def list_tokens(store: Store) -> list[TokenInfo]:
    with store.reading() as connection:
        rows = connection.execute(sa.select(t.api_tokens).order_by(t.api_tokens.c.name))
        return [_info(r) for r in rows]


def revoke_token(store: Store, name: str) -> None:
    with store.writing() as connection:
        result = connection.execute(
            t.api_tokens.update()
            .where(t.api_tokens.c.name == name, t.api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    if result.rowcount == 0:
        raise TokenError(f"no active token named {name!r}")
