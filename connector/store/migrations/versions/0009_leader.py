"""sync leadership: a lease row per role, and the leader's term on each sync it ran

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Replicas on one store elect one sync process through `leases`
(connector.store.leases); each sync its leader ran records the term it led
under (`syncs.leader_term`), which fences a deposed leader's publish.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    leases = op.create_table(
        "leases",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    # The sync's lease, never held yet (term 0, long expired): taking it is then
    # always an UPDATE, which concurrent replicas serialise on this one row.
    never = datetime(1970, 1, 1, tzinfo=UTC)
    op.bulk_insert(
        leases,
        [{"name": "sync", "holder": "", "term": 0, "acquired_at": never, "expires_at": never}],
    )
    with op.batch_alter_table("syncs") as batch:
        batch.add_column(sa.Column("leader_term", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("syncs") as batch:
        batch.drop_column("leader_term")
    op.drop_table("leases")
