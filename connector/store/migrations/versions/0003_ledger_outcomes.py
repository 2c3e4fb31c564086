"""write ledger: actions and failures instead of HTTP methods, paths and statuses

The ledger belongs to the connector, which knows no HTTP: an operation records
what it does (create, replace, modify, delete) and, when it fails, why
(connector.errors.Failure); the SCIM side derives methods, paths and statuses.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIONS = {"POST": "create", "PUT": "replace", "PATCH": "modify", "DELETE": "delete"}
_STEP_FAILURES = {
    "ResourceNotFoundException": "not_found",
    "ConflictException": "conflict",
    "ValidationException": "invalid_input",
    "WriteConflict": "write_conflict",
    "AccessDenied": "access_denied",
}

operations = sa.table(
    "write_operations",
    sa.column("status", sa.String),
    sa.column("method", sa.String),
    sa.column("action", sa.String),
    sa.column("http_status", sa.Integer),
    sa.column("error_type", sa.String),
    sa.column("failure", sa.String),
)
steps = sa.table(
    "write_steps",
    sa.column("status", sa.String),
    sa.column("error_code", sa.String),
    sa.column("failure", sa.String),
)


def upgrade() -> None:
    # Plain ADD and DROP COLUMN, never batch mode's copy of the table: on SQLite
    # that copy drops write_operations while write_steps and write_events still
    # reference it, which its foreign keys refuse once the ledger holds rows.
    # SQLite drops columns in place since 3.35. `action` needs a default to be
    # added NOT NULL to a table with rows; every operation recorded since sets it.
    op.add_column(
        "write_operations",
        sa.Column("action", sa.String(length=8), nullable=False, server_default="modify"),
    )
    op.add_column("write_operations", sa.Column("failure", sa.String(length=32), nullable=True))
    op.add_column("write_steps", sa.Column("failure", sa.String(length=32), nullable=True))
    op.execute(
        operations.update().values(
            action=sa.case(_ACTIONS, value=operations.c.method, else_="modify")
        )
    )
    # The statuses 0002 recorded, read back as the failures they answered.
    op.execute(
        operations.update()
        .where(operations.c.status == "failed")
        .values(
            failure=sa.case(
                (
                    sa.and_(
                        operations.c.http_status == 409, operations.c.error_type == "uniqueness"
                    ),
                    "conflict",
                ),
                (operations.c.http_status == 409, "write_conflict"),
                (operations.c.http_status == 400, "invalid_input"),
                (operations.c.http_status == 404, "not_found"),
                else_="aws_failed",
            )
        )
    )
    op.execute(
        steps.update()
        .where(steps.c.status == "failed")
        .values(failure=sa.case(_STEP_FAILURES, value=steps.c.error_code, else_="aws_failed"))
    )
    for column in ("method", "path", "http_status", "error_type"):
        op.drop_column("write_operations", column)


def downgrade() -> None:
    op.add_column(
        "write_operations",
        sa.Column("method", sa.String(length=8), nullable=False, server_default="PATCH"),
    )
    op.add_column(
        "write_operations", sa.Column("path", sa.Text(), nullable=False, server_default="")
    )
    op.add_column("write_operations", sa.Column("http_status", sa.Integer(), nullable=True))
    op.add_column("write_operations", sa.Column("error_type", sa.String(length=32), nullable=True))
    methods = {action: method for method, action in _ACTIONS.items()}
    op.execute(
        operations.update().values(
            method=sa.case(methods, value=operations.c.action, else_="PATCH")
        )
    )
    op.drop_column("write_steps", "failure")
    op.drop_column("write_operations", "failure")
    op.drop_column("write_operations", "action")
