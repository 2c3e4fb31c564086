"""Who holds what while writes run: the locks on AWS objects and the claim on an operation.

An operation locks every AWS object its steps change (`take_locks`) until it
ends, so identical concurrent requests make one AWS call and an undo never
overwrites another request's change. Its runner shows it is alive
(`heartbeat`); a runner that stopped beating loses the operation to one that
resumes it (`claim_stale`). Both live in the store, so they hold across
threads, processes and replicas.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa

from connector.store import tables as t
from connector.store.ledger import OPEN_STATUSES, event


def take_locks(
    connection: sa.Connection, operation_id: str, lock_keys: Collection[str], now: datetime
) -> bool:
    """Lock AWS objects for the operation until it ends: all of `lock_keys`, or none
    (False) when another operation holds any of them.

    The primary key on the lock makes this hold across threads and processes;
    an operation keeps what it takes until it ends (`set_status`), so nothing
    it changed, and may still undo, is changed by another request meanwhile.
    Taking every key at once, in one order (sorted), is what keeps two
    operations that need the same keys from each holding what the other waits
    for: neither holds anything while it waits.
    """
    keys = sorted(set(lock_keys))
    if not keys:
        return True
    holders = dict(
        connection.execute(
            sa.select(t.write_locks.c.lock_key, t.write_locks.c.operation_id).where(
                t.write_locks.c.lock_key.in_(keys)
            )
        ).all()
    )
    if any(holder != operation_id for holder in holders.values()):
        return False
    missing = [key for key in keys if key not in holders]
    try:
        with connection.begin_nested():
            for key in missing:
                connection.execute(
                    t.write_locks.insert().values(
                        lock_key=key, operation_id=operation_id, acquired_at=now
                    )
                )
    except sa.exc.IntegrityError:
        return False  # another operation took one of them in the meantime
    return True


def heartbeat(connection: sa.Connection, operation_id: str, runner: str, now: datetime) -> bool:
    """Show `runner` is alive; False when another runner has claimed the operation.

    The update also locks the operation's row (PostgreSQL) or the database
    (SQLite write transaction) until the transaction ends, so a runner that
    checks its claim this way and then records a step cannot be overtaken by a
    claim in between.
    """
    updated = connection.execute(
        t.write_operations.update()
        .where(t.write_operations.c.id == operation_id)
        .where(t.write_operations.c.runner == runner)
        .values(heartbeat_at=now)
    )
    return updated.rowcount == 1


def claim_stale(
    connection: sa.Connection,
    runner: str,
    stale_before: datetime,
    now: datetime,
    *,
    exclude: Collection[str] = (),
) -> list[str]:
    """Open operations whose runner stopped beating, now claimed by `runner`.

    Each claim is a conditional update, so of several processes resuming at
    once exactly one takes each operation.
    """
    candidates = connection.execute(
        sa.select(t.write_operations.c.id, t.write_operations.c.heartbeat_at)
        .where(t.write_operations.c.status.in_(OPEN_STATUSES))
        .where(t.write_operations.c.heartbeat_at < stale_before)
        .order_by(t.write_operations.c.created_at)
    ).all()
    claimed = []
    for row in candidates:
        if row.id in exclude:
            continue
        updated = connection.execute(
            t.write_operations.update()
            .where(t.write_operations.c.id == row.id)
            .where(t.write_operations.c.heartbeat_at == row.heartbeat_at)
            .where(t.write_operations.c.status.in_(OPEN_STATUSES))
            .values(runner=runner, heartbeat_at=now)
        )
        if updated.rowcount == 1:
            event(connection, row.id, now, "resumed", f"resumed by {runner}")
            claimed.append(row.id)
    return claimed
