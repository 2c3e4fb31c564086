"""last use: the latest sign-in per (user, account, role), and the 90-day back-fill's progress

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

CloudTrail records each time a user gets credentials for an account and
permission set (GetRoleCredentials); the connector keeps the latest per
access (`last_use`) beside the snapshots, as it keeps provenance, and reads
back CloudTrail's 90-day history once, resumably (`sign_in_backfill`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "last_use",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("role_name", sa.String(length=255), nullable=False),
        sa.Column("permission_set_arn", sa.String(length=255), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "account_id", "role_name", name=op.f("pk_last_use")),
    )
    op.create_index("ix_last_use_permission_set", "last_use", ["permission_set_arn", "account_id"])
    op.create_table(
        "sign_in_backfill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_token", sa.Text(), nullable=True),
        sa.Column("reached", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_backfill")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_backfill")
    op.drop_index("ix_last_use_permission_set", table_name="last_use")
    op.drop_table("last_use")
