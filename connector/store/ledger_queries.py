"""What the rest of the connector asks the write ledger about its steps.

A sync's publish replays the steps that ended while it read AWS
(`finished_since`, connector.writers.replay); the change feed recognises the
events of this connector's own writes by their AWS request ids
(`known_request_ids`), which write-through has applied already.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connector.store import tables as t


@dataclass(frozen=True)
class FinishedStep:
    intent: dict[str, Any]
    created_id: str | None
    result: dict[str, Any] | None
    finished_at: datetime
    status: str
    operation_id: str
    token_name: str


def finished_since(connection: sa.Connection, since: datetime) -> list[FinishedStep]:
    """Steps that reached AWS's state (succeeded or found it reached) since `since`,
    in the order they ended: what a sync's publish replays."""
    rows = connection.execute(
        sa.select(
            t.write_steps.c.intent,
            t.write_steps.c.created_id,
            t.write_steps.c.result,
            t.write_steps.c.finished_at,
            t.write_steps.c.status,
            t.write_steps.c.operation_id,
            t.write_operations.c.token_name,
        )
        .join(t.write_operations, t.write_operations.c.id == t.write_steps.c.operation_id)
        .where(t.write_steps.c.status.in_(("succeeded", "unchanged")))
        .where(t.write_steps.c.finished_at >= since)
        .order_by(t.write_steps.c.finished_at)
    ).all()
    return [
        FinishedStep(
            r.intent,
            r.created_id,
            r.result,
            r.finished_at,
            r.status,
            r.operation_id,
            r.token_name,
        )
        for r in rows
    ]


def known_request_ids(connection: sa.Connection, request_ids: Sequence[str]) -> set[str]:
    """The AWS request ids among `request_ids` that this connector's writes made."""
    ids = sorted(set(request_ids))
    if not ids:
        return set()
    return set(
        connection.execute(
            sa.select(t.write_steps.c.aws_request_id).where(t.write_steps.c.aws_request_id.in_(ids))
        ).scalars()
    )
