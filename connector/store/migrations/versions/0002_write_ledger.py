"""write ledger: operations, steps, their status changes and the objects they lock

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "write_operations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_name", sa.String(length=128), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error_type", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("runner", sa.String(length=64), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_operations")),
        sa.UniqueConstraint(
            "token_name",
            "idempotency_key",
            name=op.f("uq_write_operations_token_name_idempotency_key"),
        ),
    )
    op.create_index("ix_write_operations_status", "write_operations", ["status"])
    op.create_index("ix_write_operations_created_at", "write_operations", ["created_at"])
    op.create_table(
        "write_steps",
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("intent", sa.JSON(), nullable=False),
        sa.Column("lock_key", sa.String(length=512), nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("aws_request_id", sa.String(length=64), nullable=True),
        sa.Column("created_id", sa.String(length=64), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["write_operations.id"],
            name=op.f("fk_write_steps_operation_id_write_operations"),
        ),
        sa.PrimaryKeyConstraint("operation_id", "position", name=op.f("pk_write_steps")),
    )
    op.create_index("ix_write_steps_principal", "write_steps", ["principal_id"])
    op.create_table(
        "write_locks",
        sa.Column("lock_key", sa.String(length=512), nullable=False),
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["write_operations.id"],
            name=op.f("fk_write_locks_operation_id_write_operations"),
        ),
        sa.PrimaryKeyConstraint("lock_key", name=op.f("pk_write_locks")),
    )
    op.create_index("ix_write_locks_operation", "write_locks", ["operation_id"])
    op.create_table(
        "write_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["write_operations.id"],
            name=op.f("fk_write_events_operation_id_write_operations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_events")),
    )
    op.create_index("ix_write_events_operation", "write_events", ["operation_id"])


def downgrade() -> None:
    op.drop_index("ix_write_events_operation", "write_events")
    op.drop_table("write_events")
    op.drop_index("ix_write_locks_operation", "write_locks")
    op.drop_table("write_locks")
    op.drop_index("ix_write_steps_principal", "write_steps")
    op.drop_table("write_steps")
    op.drop_index("ix_write_operations_created_at", "write_operations")
    op.drop_index("ix_write_operations_status", "write_operations")
    op.drop_table("write_operations")
