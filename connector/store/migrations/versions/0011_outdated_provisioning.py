"""outdated provisioning: the provisioned pairs whose copy predates their permission set

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

A snapshot table: a sync after the upgrade fills it from
ListAccountsForProvisionedPermissionSet (or ListPermissionSetsProvisionedToAccount)
with ProvisioningStatus LATEST_PERMISSION_SET_NOT_PROVISIONED, for the drift
report (connector.review.drift).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outdated_provisioning",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("permission_set_arn", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint(
            "snapshot_id",
            "account_id",
            "permission_set_arn",
            name=op.f("pk_outdated_provisioning"),
        ),
    )


def downgrade() -> None:
    op.drop_table("outdated_provisioning")
