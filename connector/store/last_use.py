"""When each access was last used: the latest sign-in CloudTrail reported, kept across snapshots.

A sync reads what access exists, not whether it is used; CloudTrail records
each GetRoleCredentials (records.SignIn), and keeps it 90 days. So last use
lives beside the snapshots, like provenance (connector.store.provenance): the
90-day back-fill and then the change feed `record` sign-ins, in any order and
any number of times: the latest wins, a duplicate or an older one changes
nothing.

The event names the role, not the permission set: in the access portal its
name is the permission set's; the role Identity Center provisions in the
account is `AWSReservedSSO_<permission set name>_<16 hex digits>` (IAM Identity
Center User Guide, "Referencing permission sets in resource policies, Amazon
EKS, and AWS KMS"). Either is resolved by name to the permission set's ARN in
the snapshot (a permission set's name cannot change: UpdatePermissionSet takes
none); a name the snapshot does not hold is kept raw, its ARN unknown.

For the serving side: `last_used` answers for a set of (user, account,
permission set ARN) keys (resolving late names too), and `latest_use` is its
SQL twin for filters (`uses_of` its condition, to join with other users).

Last use is no part of any served resource's version (docs/api.md, "Last
use"): a sign-in moves no digest and no meta.lastModified. But an
Entitlement's members show it and are rendered once per snapshot
(connector.store.rendered), so `record` forgets the rendered documents of the
entitlements it changes, and stamps each row's `recorded_at` so that a
rendering under way leaves those entitlements unrendered.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connector.record_keys import entitlement_id
from connector.records import SignIn
from connector.served.entitlements import NAME
from connector.store import rendered
from connector.store import tables as t
from connector.store.snapshots import current_snapshot_id
from connector.store.store import utcnow

Access = tuple[str, str, str]  # (user id, account id, PermissionSetArn)
SqlExpr = sa.ColumnElement[Any]

_PROVISIONED_ROLE = re.compile(r"AWSReservedSSO_(?P<name>.+)_[0-9a-f]{16}")
_CHUNK = 900  # keeps IN lists within SQLite's and PostgreSQL's parameter limits


def permission_set_name(role_name: str) -> str:
    """The permission set a role name stands for: itself, or the provisioned role's middle."""
    provisioned = _PROVISIONED_ROLE.fullmatch(role_name)
    return provisioned.group("name") if provisioned else role_name


def record(connection: sa.Connection, sign_ins: Iterable[SignIn], snapshot_id: int | None) -> int:
    """Keep each access's latest sign-in; returns how many rows changed."""
    latest: dict[tuple[str, str, str], SignIn] = {}
    for sign_in in sign_ins:
        key = (sign_in.user_id, sign_in.account_id, sign_in.role_name)
        if key not in latest or sign_in.used_at > latest[key].used_at:
            latest[key] = sign_in
    if not latest:
        return 0
    # As a write-through does (connector.store.write_through.changing_snapshot_id):
    # a rendering's check of what was recorded since it began, or a sync's switch
    # of snapshot (which carries rendered documents over), waits for this
    # transaction, or this one for them; the documents forgotten are the served
    # snapshot's once they are done.
    served = connection.execute(
        sa.select(t.current_snapshot.c.snapshot_id).with_for_update(read=True)
    ).scalar_one_or_none()
    now = utcnow()
    arns = _arns_by_name(connection, snapshot_id)
    changed = 0
    entitlements: set[tuple[str, str]] = set()
    for (user_id, account_id, role_name), sign_in in latest.items():
        where = (
            t.last_use.c.user_id == user_id,
            t.last_use.c.account_id == account_id,
            t.last_use.c.role_name == role_name,
        )
        known = connection.execute(sa.select(t.last_use.c.used_at).where(*where)).scalar()
        arn = arns.get(permission_set_name(role_name))
        values = {
            "used_at": sign_in.used_at,
            "event_id": sign_in.event_id,
            "permission_set_arn": arn,
            "recorded_at": now,
        }
        if known is None:
            named = {"user_id": user_id, "account_id": account_id, "role_name": role_name}
            connection.execute(t.last_use.insert().values(**named, **values))
        elif sign_in.used_at > known:
            connection.execute(t.last_use.update().where(*where).values(**values))
        else:
            continue
        changed += 1
        if arn is not None:
            entitlements.add((NAME, entitlement_id(account_id, arn)))
    if served is not None:
        rendered.forget(connection, served, entitlements)
    return changed


def last_used(connection: sa.Connection, accesses: Collection[Access]) -> dict[Access, datetime]:
    """The latest known use of each access that has one; an access absent was never used
    as far as CloudTrail's 90 days (and the connector since) can tell. A role name not
    resolved when it was recorded is resolved against the current snapshot now."""
    wanted = set(accesses)
    found: dict[Access, datetime] = {}
    arns = _arns_by_name(connection, current_snapshot_id(connection))
    u = t.last_use
    for user_ids in _chunks({user_id for user_id, _, _ in wanted}):
        rows = connection.execute(
            sa.select(
                u.c.user_id, u.c.account_id, u.c.role_name, u.c.permission_set_arn, u.c.used_at
            ).where(u.c.user_id.in_(user_ids))
        )
        for row in rows:
            arn = row.permission_set_arn or arns.get(permission_set_name(row.role_name))
            key = (row.user_id, row.account_id, arn or "")
            if key in wanted and (key not in found or row.used_at > found[key]):
                found[key] = row.used_at
    return found


def latest_use(
    user_id: SqlExpr, account_id: SqlExpr, permission_set_arn: SqlExpr, permission_set_name: SqlExpr
) -> SqlExpr:
    """The SQL twin of `last_used` for one access: its latest use, NULL if none."""
    u = t.last_use.alias()
    return (
        sa.select(sa.func.max(u.c.used_at))
        .where(
            u.c.user_id == user_id, uses_of(u, account_id, permission_set_arn, permission_set_name)
        )
        .scalar_subquery()
    )


def uses_of(
    uses: sa.FromClause,
    account_id: SqlExpr,
    permission_set_arn: SqlExpr,
    permission_set_name: SqlExpr,
) -> SqlExpr:
    """The `last_use` rows (aliased `uses`) of a permission set in an account, by any
    user: those resolved to its ARN, and those still raw whose role name is its name
    in either form (`permission_set_name`, in SQL: the 16 characters after the
    provisioned role's prefix are not checked to be hex digits, which only a role
    named like a provisioned one but made by someone else could tell)."""
    prefix = sa.literal("AWSReservedSSO_") + permission_set_name + sa.literal("_")
    name_length = sa.func.length(permission_set_name)
    return sa.and_(
        uses.c.account_id == account_id,
        sa.or_(
            uses.c.permission_set_arn == permission_set_arn,
            sa.and_(
                uses.c.permission_set_arn.is_(None),
                sa.or_(
                    uses.c.role_name == permission_set_name,
                    sa.and_(
                        sa.func.length(uses.c.role_name) == name_length + 32,
                        sa.func.substr(uses.c.role_name, 1, name_length + 16) == prefix,
                    ),
                ),
            ),
        ),
    )


def _arns_by_name(connection: sa.Connection, snapshot_id: int | None) -> dict[str, str]:
    if snapshot_id is None:
        return {}
    p = t.permission_sets
    rows = connection.execute(sa.select(p.c.name, p.c.arn).where(p.c.snapshot_id == snapshot_id))
    return {row.name: row.arn for row in rows}


def _chunks(values: Collection[str]) -> Iterable[list[str]]:
    items = sorted(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
