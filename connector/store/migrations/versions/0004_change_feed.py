"""change feed: cursors, events seen, and the ledger's request ids indexed

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_cursors",
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("position", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_feed_cursors")),
    )
    op.create_table(
        "feed_seen_events",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_feed_seen_events")),
    )
    op.create_index("ix_feed_seen_events_event_time", "feed_seen_events", ["event_time"])
    op.create_index("ix_write_steps_aws_request_id", "write_steps", ["aws_request_id"])


def downgrade() -> None:
    op.drop_index("ix_write_steps_aws_request_id", "write_steps")
    op.drop_index("ix_feed_seen_events_event_time", "feed_seen_events")
    op.drop_table("feed_seen_events")
    op.drop_table("feed_cursors")
