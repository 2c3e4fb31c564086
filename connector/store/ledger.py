"""The write ledger: every write, its steps and every status change, kept durably.

An operation is recorded (with all its planned steps) before AWS is called, and
each step's start, AWS request id and end are recorded as they happen, each in
its own transaction. So at any moment the ledger says what was asked, what AWS
was told, and what is still open; a restarted service resumes from it
(`claim_stale`), and an IGA admin reads it (`GET /Operations`,
`idc-connector operations`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connector.intents import AssignmentIntent, Intent, MembershipIntent, intent_from_json
from connector.store import tables as t

OPEN_STATUSES = ("accepted", "in_progress")
FINAL_STEP_STATUSES = ("succeeded", "unchanged", "failed", "not_attempted")


@dataclass(frozen=True)
class StepRecord:
    position: int
    role: str  # do | undo
    intent: Intent
    status: str
    aws_request_id: str | None
    created_id: str | None
    error_code: str | None
    failure_reason: str | None
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class EventRecord:
    at: datetime
    position: int | None
    status: str
    detail: str | None


@dataclass(frozen=True)
class OperationRecord:
    id: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    token_name: str
    method: str
    path: str
    resource_type: str
    resource_id: str | None
    idempotency_key: str | None
    request_hash: str
    status: str
    http_status: int | None
    error_type: str | None
    error: str | None
    steps: tuple[StepRecord, ...]
    events: tuple[EventRecord, ...]

    @property
    def finished(self) -> bool:
        return self.status not in OPEN_STATUSES


def _principal_of(intent: Intent) -> str | None:
    match intent:
        case AssignmentIntent(principal_id=principal_id):
            return principal_id
        case MembershipIntent(user_id=user_id):
            return user_id
    for name in ("user_id", "group_id"):
        value = getattr(intent, name, None)
        if value:
            return str(value)
    return None


def _event(
    connection: sa.Connection,
    operation_id: str,
    now: datetime,
    status: str,
    detail: str | None = None,
    position: int | None = None,
) -> None:
    connection.execute(
        t.write_events.insert().values(
            operation_id=operation_id, position=position, at=now, status=status, detail=detail
        )
    )


def _step_row(operation_id: str, position: int, role: str, intent: Intent) -> dict[str, Any]:
    return {
        "operation_id": operation_id,
        "position": position,
        "role": role,
        "kind": intent.kind,
        "intent": intent.to_json(),
        "lock_key": intent.lock_key,
        "principal_id": _principal_of(intent),
        "status": "planned",
    }


def create_operation(
    connection: sa.Connection,
    *,
    operation_id: str,
    token_name: str,
    method: str,
    path: str,
    resource_type: str,
    resource_id: str | None,
    idempotency_key: str | None,
    request_hash: str,
    intents: Sequence[Intent],
    runner: str,
    now: datetime,
) -> None:
    """Record a write and its planned steps (raises IntegrityError on a reused key)."""
    connection.execute(
        t.write_operations.insert().values(
            id=operation_id,
            created_at=now,
            updated_at=now,
            token_name=token_name,
            method=method,
            path=path,
            resource_type=resource_type,
            resource_id=resource_id,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            status="accepted",
            runner=runner,
            heartbeat_at=now,
        )
    )
    if intents:
        connection.execute(
            t.write_steps.insert(),
            [_step_row(operation_id, i, "do", intent) for i, intent in enumerate(intents)],
        )
    _event(connection, operation_id, now, "accepted", f"{len(intents)} step(s) planned")


def add_undo_steps(
    connection: sa.Connection, operation_id: str, intents: Sequence[Intent], now: datetime
) -> list[int]:
    """Append the steps that undo a failed operation's finished ones; their positions."""
    last = connection.execute(
        sa.select(sa.func.max(t.write_steps.c.position)).where(
            t.write_steps.c.operation_id == operation_id
        )
    ).scalar_one()
    first = (last or 0) + 1
    positions = list(range(first, first + len(intents)))
    if intents:
        connection.execute(
            t.write_steps.insert(),
            [
                _step_row(operation_id, p, "undo", i)
                for p, i in zip(positions, intents, strict=True)
            ],
        )
        _event(connection, operation_id, now, "undoing", f"{len(intents)} undo step(s) planned")
    return positions


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


def replan(
    connection: sa.Connection,
    operation_id: str,
    intents: Sequence[Intent],
    now: datetime,
    detail: str,
) -> None:
    """Replace an operation's steps before any has started (a deletion that found
    more to revoke once it held its locks)."""
    steps = t.write_steps
    started = connection.execute(
        sa.select(sa.func.count())
        .where(steps.c.operation_id == operation_id)
        .where(steps.c.status != "planned")
    ).scalar_one()
    assert started == 0, f"operation {operation_id} has started steps: it cannot be replanned"
    connection.execute(steps.delete().where(steps.c.operation_id == operation_id))
    connection.execute(
        steps.insert(),
        [_step_row(operation_id, i, "do", intent) for i, intent in enumerate(intents)],
    )
    _event(connection, operation_id, now, "replanned", detail)


def start_step(connection: sa.Connection, operation_id: str, position: int, now: datetime) -> None:
    connection.execute(
        t.write_steps.update()
        .where(t.write_steps.c.operation_id == operation_id)
        .where(t.write_steps.c.position == position)
        .values(status="in_progress", started_at=now, finished_at=None)
    )
    _event(connection, operation_id, now, "in_progress", position=position)


def record_request_id(
    connection: sa.Connection, operation_id: str, position: int, request_id: str, now: datetime
) -> None:
    connection.execute(
        t.write_steps.update()
        .where(t.write_steps.c.operation_id == operation_id)
        .where(t.write_steps.c.position == position)
        .values(aws_request_id=request_id)
    )
    _event(connection, operation_id, now, "requested", f"AWS request {request_id}", position)


def finish_step(
    connection: sa.Connection,
    operation_id: str,
    position: int,
    status: str,
    now: datetime,
    *,
    created_id: str | None = None,
    result: dict[str, Any] | None = None,
    error_code: str | None = None,
    failure_reason: str | None = None,
) -> None:
    assert status in FINAL_STEP_STATUSES, status
    values: dict[str, Any] = {"status": status, "finished_at": now}
    if created_id is not None:
        values["created_id"] = created_id
    if result is not None:
        values["result"] = result
    if error_code is not None or failure_reason is not None:
        values.update(error_code=error_code, failure_reason=failure_reason)
    connection.execute(
        t.write_steps.update()
        .where(t.write_steps.c.operation_id == operation_id)
        .where(t.write_steps.c.position == position)
        .values(**values)
    )
    detail = f"{error_code}: {failure_reason}" if status == "failed" else created_id
    _event(connection, operation_id, now, status, detail, position)


def set_status(
    connection: sa.Connection,
    operation_id: str,
    status: str,
    now: datetime,
    *,
    resource_id: str | None = None,
    http_status: int | None = None,
    error_type: str | None = None,
    error: str | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "updated_at": now, "heartbeat_at": now}
    if status not in OPEN_STATUSES:
        values.update(finished_at=now, http_status=http_status, error_type=error_type, error=error)
        connection.execute(
            t.write_locks.delete().where(t.write_locks.c.operation_id == operation_id)
        )
    if resource_id is not None:
        values["resource_id"] = resource_id
    connection.execute(
        t.write_operations.update().where(t.write_operations.c.id == operation_id).values(**values)
    )
    _event(connection, operation_id, now, status, error)


def set_resource(connection: sa.Connection, operation_id: str, resource_id: str) -> None:
    connection.execute(
        t.write_operations.update()
        .where(t.write_operations.c.id == operation_id)
        .values(resource_id=resource_id)
    )


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
            _event(connection, row.id, now, "resumed", f"resumed by {runner}")
            claimed.append(row.id)
    return claimed


def open_operations(connection: sa.Connection) -> int:
    """How many operations are still open (accepted or in progress)."""
    return int(
        connection.execute(
            sa.select(sa.func.count()).where(t.write_operations.c.status.in_(OPEN_STATUSES))
        ).scalar_one()
    )


def find_by_idempotency_key(
    connection: sa.Connection, token_name: str, key: str
) -> OperationRecord | None:
    operation_id = connection.execute(
        sa.select(t.write_operations.c.id)
        .where(t.write_operations.c.token_name == token_name)
        .where(t.write_operations.c.idempotency_key == key)
    ).scalar_one_or_none()
    return get(connection, operation_id) if operation_id else None


def get(connection: sa.Connection, operation_id: str) -> OperationRecord | None:
    found = list_operations(connection, ids=[operation_id], limit=1)[1]
    return found[0] if found else None


def list_operations(
    connection: sa.Connection,
    *,
    ids: Sequence[str] | None = None,
    status: str | None = None,
    principal_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[OperationRecord]]:
    """(total, page) of operations, newest first, with their steps and events."""
    ops = t.write_operations
    query = sa.select(ops)
    if ids is not None:
        query = query.where(ops.c.id.in_(ids))
    if status is not None:
        query = query.where(ops.c.status == status)
    if principal_id is not None:
        query = query.where(
            sa.or_(
                ops.c.resource_id == principal_id,
                ops.c.id.in_(
                    sa.select(t.write_steps.c.operation_id).where(
                        t.write_steps.c.principal_id == principal_id
                    )
                ),
            )
        )
    if since is not None:
        query = query.where(ops.c.created_at >= since)
    if until is not None:
        query = query.where(ops.c.created_at < until)
    total = connection.execute(
        sa.select(sa.func.count()).select_from(query.subquery())
    ).scalar_one()
    rows = connection.execute(
        query.order_by(ops.c.created_at.desc(), ops.c.id).offset(offset).limit(limit)
    ).all()
    page_ids = [row.id for row in rows]
    steps: dict[str, list[StepRecord]] = {i: [] for i in page_ids}
    events: dict[str, list[EventRecord]] = {i: [] for i in page_ids}
    if page_ids:
        for s in connection.execute(
            sa.select(t.write_steps)
            .where(t.write_steps.c.operation_id.in_(page_ids))
            .order_by(t.write_steps.c.position)
        ):
            steps[s.operation_id].append(
                StepRecord(
                    position=s.position,
                    role=s.role,
                    intent=intent_from_json(s.intent),
                    status=s.status,
                    aws_request_id=s.aws_request_id,
                    created_id=s.created_id,
                    error_code=s.error_code,
                    failure_reason=s.failure_reason,
                    started_at=s.started_at,
                    finished_at=s.finished_at,
                )
            )
        for e in connection.execute(
            sa.select(t.write_events)
            .where(t.write_events.c.operation_id.in_(page_ids))
            .order_by(t.write_events.c.id)
        ):
            events[e.operation_id].append(EventRecord(e.at, e.position, e.status, e.detail))
    return total, [
        OperationRecord(
            id=row.id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            finished_at=row.finished_at,
            token_name=row.token_name,
            method=row.method,
            path=row.path,
            resource_type=row.resource_type,
            resource_id=row.resource_id,
            idempotency_key=row.idempotency_key,
            request_hash=row.request_hash,
            status=row.status,
            http_status=row.http_status,
            error_type=row.error_type,
            error=row.error,
            steps=tuple(steps[row.id]),
            events=tuple(events[row.id]),
        )
        for row in rows
    ]
