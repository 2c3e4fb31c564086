"""account OU: the organizational unit each account sits in, for the review export

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

Organizations places every account under the root or an organizational unit;
the sync now walks that tree (connector/readers/account_places.py) and keeps
each account's parent by id, name and path of names from the root
("Root/Prod/Payments"). Existing snapshots get NULL (unknown) until the next
sync, as without Organizations access.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("ou_id", sa.String(length=68), nullable=True))
        batch.add_column(sa.Column("ou_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("ou_path", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("ou_path")
        batch.drop_column("ou_name")
        batch.drop_column("ou_id")
