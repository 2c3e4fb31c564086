"""last use: when each row was recorded

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

An Entitlement's members show their last use, which moves no version
(docs/api.md, "Last use"), so rendering a snapshot cannot tell from the
versions that a sign-in recorded while it rendered made a document stale:
`last_use.recorded_at` tells it (connector.store.rendered). Rows from before
are NULL: recorded before any rendering that follows the upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("last_use") as batch:
        batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_last_use_recorded", "last_use", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_last_use_recorded", table_name="last_use")
    with op.batch_alter_table("last_use") as batch:
        batch.drop_column("recorded_at")
