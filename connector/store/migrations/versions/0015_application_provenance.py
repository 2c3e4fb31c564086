"""application provenance: who made each application assignment, and when

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

AWS keeps no creator or date on an application assignment, as on an account
assignment (0005): the connector keeps what it knows beside the snapshots. Its
own application grants made before this revision are known from the write
ledger: the latest succeeded grant_application or revoke_application step of
each assignment decides, and where it is a grant, that grant's provenance is
kept here (the step's end, the token that asked, the operation), as the write
path records it from now on. Rows of assignments AWS no longer holds are
dropped by the next sync.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = ("application_arn", "principal_type", "principal_id")


def upgrade() -> None:
    table = op.create_table(
        "application_assignment_provenance",
        sa.Column("application_arn", sa.String(length=255), nullable=False),
        sa.Column("principal_type", sa.String(length=8), nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("granted_by", sa.Text(), nullable=True),
        sa.Column("operation_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_application_assignment_provenance")),
    )
    values = _from_ledger()
    if values:
        op.bulk_insert(table, values)


def _from_ledger() -> list[dict[str, Any]]:
    """Provenance of the connector's own application grants that no later revoke of
    its own undid, the latest step of each assignment winning."""
    steps = sa.table(
        "write_steps",
        sa.column("operation_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("intent", sa.JSON),
        sa.column("status", sa.String),
        sa.column("finished_at", sa.DateTime(timezone=True)),
    )
    operations = sa.table("write_operations", sa.column("id", sa.String), sa.column("token_name"))
    rows = op.get_bind().execute(
        sa.select(
            steps.c.kind,
            steps.c.intent,
            steps.c.finished_at,
            operations.c.token_name,
            operations.c.id.label("operation_id"),
        )
        .join(operations, operations.c.id == steps.c.operation_id)
        .where(steps.c.status == "succeeded")
        .where(steps.c.kind.in_(("grant_application", "revoke_application")))
        .where(steps.c.finished_at.is_not(None))
        .order_by(steps.c.finished_at)
    )
    latest: dict[tuple[str, ...], dict[str, Any] | None] = {}
    for row in rows:
        key = {name: row.intent[name] for name in _KEY}
        latest[tuple(key.values())] = (
            {
                **key,
                "granted_at": row.finished_at,
                "granted_by": row.token_name,
                "operation_id": row.operation_id,
            }
            if row.kind == "grant_application"
            else None
        )
    return [value for value in latest.values() if value is not None]


def downgrade() -> None:
    op.drop_table("application_assignment_provenance")
