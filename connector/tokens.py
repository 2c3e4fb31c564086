"""API tokens: shown once at creation, stored only as a SHA-256 hash.

Tokens are 256 random bits, so a plain SHA-256 (not a slow password hash) is
enough to make a stolen database useless, and it lets a request's token be
found by its hash in one indexed lookup. The final comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

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


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str, scope: str) -> str:
    """Store a new token's hash and return the token itself (the only time it is seen)."""
    if not _NAME.match(name):
        raise TokenError(f"token name {name!r}: use letters, digits and _ . @ - (at most 128)")
    if scope not in SCOPES:
        raise TokenError(f"scope {scope!r}: must be one of {', '.join(SCOPES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.writing() as connection:
        exists = connection.execute(
            sa.select(t.api_tokens.c.name).where(t.api_tokens.c.name == name)
        ).first()
        if exists:
            raise TokenError(f"a token named {name!r} exists (names are kept after revocation)")
        connection.execute(
            t.api_tokens.insert().values(
                name=name, scope=scope, token_hash=_digest(token), created_at=utcnow()
            )
        )
    return token


_BY_HASH = sa.select(t.api_tokens).where(t.api_tokens.c.token_hash == sa.bindparam("digest"))


def verify_token(store: Store, token: str) -> TokenInfo | None:
    """The token's record if it is valid and not revoked, else None."""
    with store.reading() as connection:
        return check_token(connection, token)


def check_token(connection: sa.Connection, token: str) -> TokenInfo | None:
    """As verify_token, inside a transaction the caller already holds (one per request)."""
    digest = _digest(token)
    row = connection.execute(_BY_HASH, {"digest": digest}).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.token_hash, digest):
        return None
    return TokenInfo(row.name, row.scope, row.created_at, row.revoked_at)


def list_tokens(store: Store) -> list[TokenInfo]:
    with store.reading() as connection:
        rows = connection.execute(sa.select(t.api_tokens).order_by(t.api_tokens.c.name))
        return [TokenInfo(r.name, r.scope, r.created_at, r.revoked_at) for r in rows]


def revoke_token(store: Store, name: str) -> None:
    with store.writing() as connection:
        result = connection.execute(
            t.api_tokens.update()
            .where(t.api_tokens.c.name == name, t.api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    if result.rowcount == 0:
        raise TokenError(f"no active token named {name!r}")
