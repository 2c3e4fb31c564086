"""a user's roles and photos

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

The Identity Store User carries Roles (at most one) and Photos (up to three)
(https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_User.html);
the users row keeps each as a JSON list of its members. Users stored before
this read as having none until the next sync reads them again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("roles", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("photos", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("photos")
        batch.drop_column("roles")
