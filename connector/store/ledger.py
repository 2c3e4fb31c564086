"""The write ledger: every write, its steps and every status change, kept durably.

An operation is recorded (with all its planned steps) before AWS is called, and
each step's start, AWS request id and end are recorded as they happen, each in
its own transaction. So at any moment the ledger says what was asked, what AWS
was told, and what is still open; a restarted service resumes from it
(`claim_stale`), and an IGA admin reads it (`GET /Operations`,
`idc-connector operations`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connector.errors import Failure
from connector.intents import Intent
from connector.store import tables as t

OPEN_STATUSES = ("accepted", "in_progress")
# Turns an intent as the ledger keeps it (`Intent.to_json`) back into one: the
# caller's (connector.writers.registry.intent_from_json), so the ledger, part of
# the store, knows no kind of change.
Decode = Callable[[Mapping[str, Any]], Intent]
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
    failure: Failure | None
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
    action: str  # create | replace | modify | delete
    resource_type: str
    resource_id: str | None
    idempotency_key: str | None
    request_hash: str
    status: str
    failure: Failure | None
    error: str | None
    steps: tuple[StepRecord, ...]
    events: tuple[EventRecord, ...]

    @property
    def finished(self) -> bool:
        return self.status not in OPEN_STATUSES


def event(
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
        "principal_id": intent.subject,
        "status": "planned",
    }


def create_operation(
    connection: sa.Connection,
    *,
    operation_id: str,
    token_name: str,
    action: str,
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
            action=action,
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
    event(connection, operation_id, now, "accepted", f"{len(intents)} step(s) planned")


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
        event(connection, operation_id, now, "undoing", f"{len(intents)} undo step(s) planned")
    return positions


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
    event(connection, operation_id, now, "replanned", detail)


def start_step(connection: sa.Connection, operation_id: str, position: int, now: datetime) -> None:
    connection.execute(
        t.write_steps.update()
        .where(t.write_steps.c.operation_id == operation_id)
        .where(t.write_steps.c.position == position)
        .values(status="in_progress", started_at=now, finished_at=None)
    )
    event(connection, operation_id, now, "in_progress", position=position)


def record_request_id(
    connection: sa.Connection, operation_id: str, position: int, request_id: str, now: datetime
) -> None:
    connection.execute(
        t.write_steps.update()
        .where(t.write_steps.c.operation_id == operation_id)
        .where(t.write_steps.c.position == position)
        .values(aws_request_id=request_id)
    )
    event(connection, operation_id, now, "requested", f"AWS request {request_id}", position)


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
    failure: Failure | None = None,
) -> None:
    assert status in FINAL_STEP_STATUSES, status
    values: dict[str, Any] = {"status": status, "finished_at": now}
    if created_id is not None:
        values["created_id"] = created_id
    if result is not None:
        values["result"] = result
    if error_code is not None or failure_reason is not None:
        values.update(error_code=error_code, failure_reason=failure_reason, failure=failure)
    connection.execute(
        t.write_steps.update()
        .where(t.write_steps.c.operation_id == operation_id)
        .where(t.write_steps.c.position == position)
        .values(**values)
    )
    detail = f"{error_code}: {failure_reason}" if status == "failed" else created_id
    event(connection, operation_id, now, status, detail, position)


def set_status(
    connection: sa.Connection,
    operation_id: str,
    status: str,
    now: datetime,
    *,
    resource_id: str | None = None,
    failure: Failure | None = None,
    error: str | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "updated_at": now, "heartbeat_at": now}
    if status not in OPEN_STATUSES:
        values.update(finished_at=now, failure=failure, error=error)
        connection.execute(
            t.write_locks.delete().where(t.write_locks.c.operation_id == operation_id)
        )
    if resource_id is not None:
        values["resource_id"] = resource_id
    connection.execute(
        t.write_operations.update().where(t.write_operations.c.id == operation_id).values(**values)
    )
    event(connection, operation_id, now, status, error)


def set_resource(connection: sa.Connection, operation_id: str, resource_id: str) -> None:
    connection.execute(
        t.write_operations.update()
        .where(t.write_operations.c.id == operation_id)
        .values(resource_id=resource_id)
    )


def open_operations(connection: sa.Connection) -> int:
    """How many operations are still open (accepted or in progress)."""
    return int(
        connection.execute(
            sa.select(sa.func.count()).where(t.write_operations.c.status.in_(OPEN_STATUSES))
        ).scalar_one()
    )


def find_by_idempotency_key(
    connection: sa.Connection, token_name: str, key: str, decode: Decode
) -> OperationRecord | None:
    operation_id = connection.execute(
        sa.select(t.write_operations.c.id)
        .where(t.write_operations.c.token_name == token_name)
        .where(t.write_operations.c.idempotency_key == key)
    ).scalar_one_or_none()
    return get(connection, operation_id, decode) if operation_id else None


def get(connection: sa.Connection, operation_id: str, decode: Decode) -> OperationRecord | None:
    found = list_operations(connection, decode, ids=[operation_id], limit=1)[1]
    return found[0] if found else None


def list_operations(
    connection: sa.Connection,
    decode: Decode,
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
                    intent=decode(s.intent),
                    status=s.status,
                    aws_request_id=s.aws_request_id,
                    created_id=s.created_id,
                    error_code=s.error_code,
                    failure_reason=s.failure_reason,
                    failure=Failure(s.failure) if s.failure else None,
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
            action=row.action,
            resource_type=row.resource_type,
            resource_id=row.resource_id,
            idempotency_key=row.idempotency_key,
            request_hash=row.request_hash,
            status=row.status,
            failure=Failure(row.failure) if row.failure else None,
            error=row.error,
            steps=tuple(steps[row.id]),
            events=tuple(events[row.id]),
        )
        for row in rows
    ]
