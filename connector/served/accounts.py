"""Served AwsAccounts: an account shows only its own record (from Organizations)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from connector.records import Snapshot
from connector.served.relations import Relations
from connector.served.rows import AccountRow, Row, Rows
from connector.served.served_type import ServedType, fingerprint, fragment

NAME = "AwsAccount"


def ids(relations: Relations) -> Iterable[str]:
    return relations.all_account_ids()


def digest(relations: Relations, account_id: str) -> str | None:
    account = relations.account(account_id)
    return fingerprint(relations.object_hash(account)) if account is not None else None


def dependents(rows: Rows, row: Row) -> Collection[str]:
    match row:
        case AccountRow(account_id=account_id):
            return {account_id}
    return set()


def load(rows: Rows, account_ids: Collection[str]) -> Snapshot:
    return fragment(accounts=rows.accounts(account_ids))


ACCOUNTS = ServedType(NAME, ids, digest, dependents, load)
