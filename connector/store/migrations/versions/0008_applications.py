"""applications: Identity Center applications and their assignments, per snapshot

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Snapshot tables: a sync after the upgrade fills them. They are to be served
as Entitlements of type "application" (issue 12); until then they are read
and stored only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("arn", sa.String(length=255), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("provider_arn", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignment_required", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("account_id", sa.String(length=12), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("snapshot_id", "arn", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index("ix_applications_id", ["snapshot_id", "id"], unique=False)
    op.create_table(
        "application_assignments",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("application_arn", sa.String(length=255), nullable=False),
        sa.Column("principal_type", sa.String(length=8), nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "snapshot_id",
            "application_arn",
            "principal_type",
            "principal_id",
            name=op.f("pk_application_assignments"),
        ),
    )
    with op.batch_alter_table("application_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_assignments_principal",
            ["snapshot_id", "principal_type", "principal_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("application_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_application_assignments_principal")
    op.drop_table("application_assignments")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index("ix_applications_id")
    op.drop_table("applications")
