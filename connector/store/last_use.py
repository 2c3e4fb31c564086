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
permission set ARN) keys (resolving late names too); in SQL, `tables.last_use`
joins on `user_id`, `account_id` and `permission_set_arn` (take the greatest
`used_at`: a role named in both forms has two rows; a row recorded before its
permission set was in a snapshot has no ARN and is found only by `last_used`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import datetime

import sqlalchemy as sa

from connector.records import SignIn
from connector.store import tables as t
from connector.store.snapshots import current_snapshot_id

Access = tuple[str, str, str]  # (user id, account id, PermissionSetArn)

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
    arns = _arns_by_name(connection, snapshot_id)
    changed = 0
    for (user_id, account_id, role_name), sign_in in latest.items():
        where = (
            t.last_use.c.user_id == user_id,
            t.last_use.c.account_id == account_id,
            t.last_use.c.role_name == role_name,
        )
        known = connection.execute(sa.select(t.last_use.c.used_at).where(*where)).scalar()
        values = {
            "used_at": sign_in.used_at,
            "event_id": sign_in.event_id,
            "permission_set_arn": arns.get(permission_set_name(role_name)),
        }
        if known is None:
            named = {"user_id": user_id, "account_id": account_id, "role_name": role_name}
            connection.execute(t.last_use.insert().values(**named, **values))
        elif sign_in.used_at > known:
            connection.execute(t.last_use.update().where(*where).values(**values))
        else:
            continue
        changed += 1
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
