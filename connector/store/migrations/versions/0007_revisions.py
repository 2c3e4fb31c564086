"""revisions: the Identity Store Revision of each user and group, for conditional writes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("users", "groups"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("revision", sa.String(length=128), nullable=True))


def downgrade() -> None:
    for table in ("groups", "users"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("revision")
