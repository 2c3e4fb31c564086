"""Served AwsAccounts: read-only context for reviewers (where an entitlement applies)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connector.served.accounts import ACCOUNTS as SERVED
from connector.store import reads
from connector.store import tables as t
from schemas import urns
from scim.resources.common import meta
from scim.resources.endpoint import Endpoint
from scim.sql_map import Column, ResourceSql, table_sql


def documents(
    connection: sa.Connection,
    snapshot_id: int,
    ids: Sequence[str],
    base_url: str,
    requested: frozenset[tuple[str, ...]] = frozenset(),
) -> list[dict[str, Any]]:
    found = reads.accounts(connection, snapshot_id, ids)
    versions = reads.versions(connection, SERVED.name, ids)
    return [
        {
            "schemas": [urns.AWS_ACCOUNT],
            "id": account.id,
            "name": account.name,
            "email": account.email,
            "status": account.status,
            "meta": meta(SERVED.name, base_url, account.id, versions.get(account.id)),
        }
        for account_id in ids
        if (account := found.get(account_id)) is not None
    ]


def _account_sql() -> ResourceSql:
    acct = t.accounts
    return table_sql(
        SERVED,
        acct,
        {
            "id": Column(acct.c.id),
            "name": Column(acct.c.name),
            "email": Column(acct.c.email),
            "status": Column(acct.c.status),
        },
    )


ACCOUNTS = Endpoint(SERVED, _account_sql(), documents)
