"""provenance: who made each assignment and membership; who made and changed users and groups

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

The connector's own grants and memberships made before this revision are
known from the write ledger: each succeeded step gets its provenance here
(the step's end, the token that asked, the operation), as the write path
records it from now on. Rows of access that no longer exists are dropped by
the next sync.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROVENANCE = (
    ("granted_at", sa.DateTime(timezone=True)),
    ("granted_by", sa.Text()),
    ("operation_id", sa.String(length=36)),
)


def upgrade() -> None:
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("created_by", sa.Text(), nullable=True))
    for table in ("users", "groups"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("created_by", sa.Text(), nullable=True))
            batch.add_column(sa.Column("updated_by", sa.Text(), nullable=True))
    assignments = op.create_table(
        "assignment_provenance",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("permission_set_arn", sa.String(length=255), nullable=False),
        sa.Column("principal_type", sa.String(length=8), nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=False),
        *(sa.Column(name, kind, nullable=True) for name, kind in _PROVENANCE),
        sa.PrimaryKeyConstraint(
            "account_id",
            "permission_set_arn",
            "principal_type",
            "principal_id",
            name=op.f("pk_assignment_provenance"),
        ),
    )
    memberships = op.create_table(
        "membership_provenance",
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        *(sa.Column(name, kind, nullable=True) for name, kind in _PROVENANCE),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_membership_provenance")),
    )
    _from_ledger(assignments, memberships)


def _from_ledger(assignments: sa.Table, memberships: sa.Table) -> None:
    """Provenance of the connector's own succeeded grants and memberships, the latest
    step of each access winning."""
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
        .where(steps.c.kind.in_(("grant", "add_member")))
        .where(steps.c.finished_at.is_not(None))
        .order_by(steps.c.finished_at)
    )
    found: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    for row in rows:
        intent = row.intent
        names = (
            ("account_id", "permission_set_arn", "principal_type", "principal_id")
            if row.kind == "grant"
            else ("group_id", "user_id")
        )
        key = {name: intent[name] for name in names}
        found[(row.kind, tuple(key.values()))] = {
            **key,
            "granted_at": row.finished_at,
            "granted_by": row.token_name,
            "operation_id": row.operation_id,
        }
    for kind, table in (("grant", assignments), ("add_member", memberships)):
        values = [value for (found_kind, _), value in found.items() if found_kind == kind]
        if values:
            op.bulk_insert(table, values)


def downgrade() -> None:
    op.drop_table("membership_provenance")
    op.drop_table("assignment_provenance")
    for table in ("groups", "users"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_by")
            batch.drop_column("created_by")
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("created_by")
        batch.drop_column("created_at")
