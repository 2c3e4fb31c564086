"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "accounts",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("snapshot_id", "id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "assignments",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("permission_set_arn", sa.String(length=255), nullable=False),
        sa.Column("principal_type", sa.String(length=8), nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "snapshot_id",
            "account_id",
            "permission_set_arn",
            "principal_type",
            "principal_id",
            name=op.f("pk_assignments"),
        ),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignments_principal",
            ["snapshot_id", "principal_type", "principal_id"],
            unique=False,
        )

    op.create_table(
        "external_ids",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("owner_type", sa.String(length=8), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "owner_type", "owner_id", "position", name=op.f("pk_external_ids")
        ),
    )
    with op.batch_alter_table("external_ids", schema=None) as batch_op:
        batch_op.create_index("ix_external_ids_value", ["snapshot_id", "external_id"], unique=False)

    op.create_table(
        "groups",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("snapshot_id", "id", name=op.f("pk_groups")),
    )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_groups_display_name", ["snapshot_id", "display_name"], unique=False
        )

    op.create_table(
        "memberships",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("membership_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("snapshot_id", "group_id", "user_id", name=op.f("pk_memberships")),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index("ix_memberships_user", ["snapshot_id", "user_id"], unique=False)

    op.create_table(
        "object_versions",
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=512), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("object_type", "object_id", name=op.f("pk_object_versions")),
    )
    with op.batch_alter_table("object_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_object_versions_modified", ["object_type", "last_modified_at"], unique=False
        )

    op.create_table(
        "permission_sets",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("arn", sa.String(length=255), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("session_duration", sa.String(length=32), nullable=True),
        sa.Column("relay_state", sa.Text(), nullable=True),
        sa.Column("managed_policies", sa.JSON(), nullable=False),
        sa.Column("customer_managed_policies", sa.JSON(), nullable=False),
        sa.Column("inline_policy", sa.Text(), nullable=True),
        sa.Column("permissions_boundary", sa.JSON(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("snapshot_id", "arn", name=op.f("pk_permission_sets")),
    )
    with op.batch_alter_table("permission_sets", schema=None) as batch_op:
        batch_op.create_index("ix_permission_sets_id", ["snapshot_id", "id"], unique=False)

    op.create_table(
        "provisioned_pairs",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("permission_set_arn", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "account_id", "permission_set_arn", name=op.f("pk_provisioned_pairs")
        ),
    )
    op.create_table(
        "rendered_documents",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=512), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "resource_type", "id", name=op.f("pk_rendered_documents")
        ),
    )
    op.create_table(
        "syncs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("instance_arn", sa.String(length=255), nullable=True),
        sa.Column("identity_store_id", sa.String(length=64), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("aws", sa.JSON(), nullable=True),
        sa.Column("walk", sa.JSON(), nullable=True),
        sa.Column("organizations_unavailable", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_syncs")),
    )
    with op.batch_alter_table("syncs", schema=None) as batch_op:
        batch_op.create_index("ix_syncs_outcome", ["outcome"], unique=False)

    op.create_table(
        "user_addresses",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("street_address", sa.Text(), nullable=True),
        sa.Column("locality", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("postal_code", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("formatted", sa.Text(), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "user_id", "position", name=op.f("pk_user_addresses")
        ),
    )
    op.create_table(
        "user_emails",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("snapshot_id", "user_id", "position", name=op.f("pk_user_emails")),
    )
    with op.batch_alter_table("user_emails", schema=None) as batch_op:
        batch_op.create_index("ix_user_emails_value", ["snapshot_id", "value"], unique=False)

    op.create_table(
        "user_phone_numbers",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "user_id", "position", name=op.f("pk_user_phone_numbers")
        ),
    )
    op.create_table(
        "users",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("given_name", sa.Text(), nullable=True),
        sa.Column("family_name", sa.Text(), nullable=True),
        sa.Column("middle_name", sa.Text(), nullable=True),
        sa.Column("honorific_prefix", sa.Text(), nullable=True),
        sa.Column("honorific_suffix", sa.Text(), nullable=True),
        sa.Column("formatted_name", sa.Text(), nullable=True),
        sa.Column("nick_name", sa.Text(), nullable=True),
        sa.Column("profile_url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("user_type", sa.Text(), nullable=True),
        sa.Column("locale", sa.Text(), nullable=True),
        sa.Column("timezone", sa.Text(), nullable=True),
        sa.Column("preferred_language", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("birthdate", sa.Text(), nullable=True),
        sa.Column("user_status", sa.Text(), nullable=True),
        sa.Column("enterprise", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("snapshot_id", "id", name=op.f("pk_users")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_user_name", ["snapshot_id", "user_name"], unique=False)
        batch_op.create_index(
            "ix_users_user_name_lower", ["snapshot_id", sa.text("lower(user_name)")], unique=False
        )

    op.create_table(
        "current_snapshot",
        sa.Column("singleton", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("switched_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("singleton = 1", name="ck_current_snapshot_singleton"),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["syncs.id"], name=op.f("fk_current_snapshot_snapshot_id_syncs")
        ),
        sa.PrimaryKeyConstraint("singleton", name=op.f("pk_current_snapshot")),
    )
    op.create_table(
        "object_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sync_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=512), nullable=False),
        sa.Column("change", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sync_id"], ["syncs.id"], name=op.f("fk_object_changes_sync_id_syncs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_object_changes")),
    )
    with op.batch_alter_table("object_changes", schema=None) as batch_op:
        batch_op.create_index("ix_object_changes_at", ["at"], unique=False)
        batch_op.create_index(
            "ix_object_changes_object", ["object_type", "object_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("object_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_object_changes_object")
        batch_op.drop_index("ix_object_changes_at")

    op.drop_table("object_changes")
    op.drop_table("current_snapshot")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_user_name_lower")
        batch_op.drop_index("ix_users_user_name")

    op.drop_table("users")
    op.drop_table("user_phone_numbers")
    with op.batch_alter_table("user_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_user_emails_value")

    op.drop_table("user_emails")
    op.drop_table("user_addresses")
    with op.batch_alter_table("syncs", schema=None) as batch_op:
        batch_op.drop_index("ix_syncs_outcome")

    op.drop_table("syncs")
    op.drop_table("rendered_documents")
    op.drop_table("provisioned_pairs")
    with op.batch_alter_table("permission_sets", schema=None) as batch_op:
        batch_op.drop_index("ix_permission_sets_id")

    op.drop_table("permission_sets")
    with op.batch_alter_table("object_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_object_versions_modified")

    op.drop_table("object_versions")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_memberships_user")

    op.drop_table("memberships")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index("ix_groups_display_name")

    op.drop_table("groups")
    with op.batch_alter_table("external_ids", schema=None) as batch_op:
        batch_op.drop_index("ix_external_ids_value")

    op.drop_table("external_ids")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_principal")

    op.drop_table("assignments")
    op.drop_table("api_tokens")
    op.drop_table("accounts")
