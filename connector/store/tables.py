"""The store's schema (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Snapshot tables carry a `snapshot_id`: a sync writes its whole snapshot under a
new id while readers keep using the current one, then flips `current_snapshot`
in one short transaction. Readers therefore see the old snapshot or the new
one, never half of one, and a failed sync leaves the previous one in service.

Filterable SCIM attributes are real columns (and multi-valued ones child
tables) so that SCIM filters become parameterised SQL, not scans in Python.
Alembic migrations (`migrations/versions`) create exactly this schema; a test
compares the two.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Times stored in UTC and read back as aware UTC datetimes, on both stores.

    SQLite keeps no offset: an aware datetime from botocore in the host's local
    zone would be stored as local wall time and read back as if it were UTC.
    Converting on the way in (and labelling on the way out) makes SQLite and
    PostgreSQL agree whatever the host's time zone.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


TZ = UtcDateTime()

# -- sync bookkeeping --------------------------------------------------------

syncs = sa.Table(
    "syncs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", TZ, nullable=False),
    sa.Column("finished_at", TZ),
    sa.Column("heartbeat_at", TZ, nullable=False),
    # running | succeeded | failed
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("instance_arn", sa.String(255)),
    sa.Column("identity_store_id", sa.String(64)),
    sa.Column("counts", sa.JSON),
    sa.Column("changes", sa.JSON),
    sa.Column("aws", sa.JSON),  # calls by operation, attempts, throttles
    sa.Column("walk", sa.JSON),
    sa.Column("organizations_unavailable", sa.Text),
    # The leadership term (leases.term) under which a looping sync ran; NULL for a
    # one-off `idc-connector sync`. A sync whose term is no longer the lease's
    # cannot publish (connector.store.leases).
    sa.Column("leader_term", sa.Integer),
    sa.Index("ix_syncs_outcome", "outcome"),
)

# One row: which snapshot readers use. Changing it is the atomic switch.
current_snapshot = sa.Table(
    "current_snapshot",
    metadata,
    sa.Column("singleton", sa.Integer, primary_key=True),
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("syncs.id"), nullable=False),
    sa.Column("switched_at", TZ, nullable=False),
    sa.CheckConstraint("singleton = 1", name="ck_current_snapshot_singleton"),
)

# -- change record: first seen, last change, removal per object --------------

object_versions = sa.Table(
    "object_versions",
    metadata,
    sa.Column("object_type", sa.String(32), primary_key=True),
    sa.Column("object_id", sa.String(512), primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("last_modified_at", TZ, nullable=False),
    sa.Column("removed_at", TZ),
    sa.Column("last_sync_id", sa.Integer, nullable=False),
    sa.Index("ix_object_versions_modified", "object_type", "last_modified_at"),
)

object_changes = sa.Table(
    "object_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sync_id", sa.Integer, sa.ForeignKey("syncs.id"), nullable=False),
    sa.Column("object_type", sa.String(32), nullable=False),
    sa.Column("object_id", sa.String(512), nullable=False),
    sa.Column("change", sa.String(8), nullable=False),  # added | changed | removed
    sa.Column("at", TZ, nullable=False),
    sa.Index("ix_object_changes_at", "at"),
    sa.Index("ix_object_changes_object", "object_type", "object_id"),
)

# -- API tokens (hashes only) ------------------------------------------------

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("scope", sa.String(16), nullable=False),  # read | write | metrics
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("revoked_at", TZ),
    sa.Column("expires_at", TZ),  # NULL: never (connector.tokens)
)

# -- the write ledger --------------------------------------------------------
#
# Every write request is recorded here before AWS is called (connector.ledger):
# the operation (who asked, what, its final answer), its steps (one AWS change
# each, in order; undo steps follow a failure) and every status change.

write_operations = sa.Table(
    "write_operations",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("updated_at", TZ, nullable=False),
    sa.Column("finished_at", TZ),
    sa.Column("token_name", sa.String(128), nullable=False),
    # create | replace | modify | delete (of resource_type, resource_id)
    sa.Column("action", sa.String(8), nullable=False),
    sa.Column("resource_type", sa.String(32), nullable=False),
    sa.Column("resource_id", sa.String(64)),
    sa.Column("idempotency_key", sa.String(255)),
    sa.Column("request_hash", sa.String(64), nullable=False),
    # accepted | in_progress | succeeded | failed
    sa.Column("status", sa.String(16), nullable=False),
    # Why a failed operation failed (connector.errors.Failure), and the message.
    sa.Column("failure", sa.String(32)),
    sa.Column("error", sa.Text),
    # The process running it, and when it last showed it is alive: a restarted
    # service resumes operations whose runner stopped beating.
    sa.Column("runner", sa.String(64)),
    sa.Column("heartbeat_at", TZ, nullable=False),
    sa.UniqueConstraint("token_name", "idempotency_key"),
    sa.Index("ix_write_operations_status", "status"),
    sa.Index("ix_write_operations_created_at", "created_at"),
)

write_steps = sa.Table(
    "write_steps",
    metadata,
    sa.Column("operation_id", sa.String(36), sa.ForeignKey("write_operations.id")),
    sa.Column("position", sa.Integer),
    sa.Column("role", sa.String(8), nullable=False),  # do | undo
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("intent", sa.JSON, nullable=False),
    sa.Column("lock_key", sa.String(512), nullable=False),
    sa.Column("principal_id", sa.String(64)),
    # planned | in_progress | succeeded | unchanged | failed | not_attempted
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("aws_request_id", sa.String(64)),
    sa.Column("created_id", sa.String(64)),
    # The user or group as AWS described it after the step (replayed into a
    # snapshot that a sync read before the step ended).
    sa.Column("result", sa.JSON),
    sa.Column("error_code", sa.String(64)),
    sa.Column("failure_reason", sa.Text),
    sa.Column("failure", sa.String(32)),
    sa.Column("started_at", TZ),
    sa.Column("finished_at", TZ),
    sa.PrimaryKeyConstraint("operation_id", "position"),
    sa.Index("ix_write_steps_principal", "principal_id"),
    # The change feed recognises this connector's own writes by their request ids.
    sa.Index("ix_write_steps_aws_request_id", "aws_request_id"),
)
# The AWS objects an open operation is changing (or has changed and may still
# undo): one operation at a time per object, so identical concurrent requests
# make one AWS call and an undo never overwrites another request's change
# (connector.store.ledger.take_lock). Released when the operation ends.
write_locks = sa.Table(
    "write_locks",
    metadata,
    sa.Column("lock_key", sa.String(512), primary_key=True),
    sa.Column("operation_id", sa.String(36), sa.ForeignKey("write_operations.id"), nullable=False),
    sa.Column("acquired_at", TZ, nullable=False),
    sa.Index("ix_write_locks_operation", "operation_id"),
)

write_events = sa.Table(
    "write_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("operation_id", sa.String(36), sa.ForeignKey("write_operations.id"), nullable=False),
    sa.Column("position", sa.Integer),
    sa.Column("at", TZ, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Index("ix_write_events_operation", "operation_id"),
)

# -- snapshot tables ---------------------------------------------------------


def _snapshot_table(name: str, *columns: sa.Column[object], key: tuple[str, ...]) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("snapshot_id", sa.Integer, nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("snapshot_id", *key),
    )


def _text(name: str, **kwargs: object) -> sa.Column[object]:
    return sa.Column(name, sa.Text, **kwargs)  # type: ignore[arg-type]


users = _snapshot_table(
    "users",
    sa.Column("id", sa.String(64)),
    _text("user_name", nullable=False),
    _text("display_name"),
    _text("given_name"),
    _text("family_name"),
    _text("middle_name"),
    _text("honorific_prefix"),
    _text("honorific_suffix"),
    _text("formatted_name"),
    _text("nick_name"),
    _text("profile_url"),
    _text("title"),
    _text("user_type"),
    _text("locale"),
    _text("timezone"),
    _text("preferred_language"),
    _text("website"),
    _text("birthdate"),
    _text("user_status"),
    sa.Column("enterprise", sa.JSON),
    # A user's roles (at most 1) and photos (at most 3) as JSON lists of their
    # members: few, read with the user, never joined on.
    sa.Column("roles", sa.JSON),
    sa.Column("photos", sa.JSON),
    sa.Column("created_at", TZ),
    sa.Column("updated_at", TZ),
    _text("created_by"),
    _text("updated_by"),
    sa.Column("revision", sa.String(128)),
    key=("id",),
)
sa.Index("ix_users_user_name", users.c.snapshot_id, users.c.user_name)
# userName compares case-insensitively (RFC 7643 §4.1.1): the IGA's single-account
# lookup is `userName eq "..."`, which must not scan every user.
sa.Index("ix_users_user_name_lower", users.c.snapshot_id, sa.func.lower(users.c.user_name))

user_emails = _snapshot_table(
    "user_emails",
    sa.Column("user_id", sa.String(64)),
    sa.Column("position", sa.Integer),
    _text("value", nullable=False),
    _text("type"),
    sa.Column("is_primary", sa.Boolean, nullable=False),
    key=("user_id", "position"),
)
sa.Index("ix_user_emails_value", user_emails.c.snapshot_id, user_emails.c.value)

user_phone_numbers = _snapshot_table(
    "user_phone_numbers",
    sa.Column("user_id", sa.String(64)),
    sa.Column("position", sa.Integer),
    _text("value", nullable=False),
    _text("type"),
    sa.Column("is_primary", sa.Boolean, nullable=False),
    key=("user_id", "position"),
)

user_addresses = _snapshot_table(
    "user_addresses",
    sa.Column("user_id", sa.String(64)),
    sa.Column("position", sa.Integer),
    _text("street_address"),
    _text("locality"),
    _text("region"),
    _text("postal_code"),
    _text("country"),
    _text("formatted"),
    _text("type"),
    sa.Column("is_primary", sa.Boolean, nullable=False),
    key=("user_id", "position"),
)

# ExternalIds of users and groups; owner_type is "user" or "group".
external_ids = _snapshot_table(
    "external_ids",
    sa.Column("owner_type", sa.String(8)),
    sa.Column("owner_id", sa.String(64)),
    sa.Column("position", sa.Integer),
    _text("issuer", nullable=False),
    _text("external_id", nullable=False),
    key=("owner_type", "owner_id", "position"),
)
sa.Index("ix_external_ids_value", external_ids.c.snapshot_id, external_ids.c.external_id)

groups = _snapshot_table(
    "groups",
    sa.Column("id", sa.String(64)),
    _text("display_name", nullable=False),
    _text("description"),
    sa.Column("created_at", TZ),
    sa.Column("updated_at", TZ),
    _text("created_by"),
    _text("updated_by"),
    sa.Column("revision", sa.String(128)),
    key=("id",),
)
sa.Index("ix_groups_display_name", groups.c.snapshot_id, groups.c.display_name)

memberships = _snapshot_table(
    "memberships",
    sa.Column("group_id", sa.String(64)),
    sa.Column("user_id", sa.String(64)),
    sa.Column("membership_id", sa.String(64), nullable=False),
    sa.Column("created_at", TZ),
    _text("created_by"),
    key=("group_id", "user_id"),
)
sa.Index("ix_memberships_user", memberships.c.snapshot_id, memberships.c.user_id)

permission_sets = _snapshot_table(
    "permission_sets",
    sa.Column("arn", sa.String(255)),
    # The ARN's last segment ("ps-..."), unique in an instance: the id served over SCIM.
    sa.Column("id", sa.String(64), nullable=False),
    _text("name", nullable=False),
    _text("description"),
    sa.Column("session_duration", sa.String(32)),
    _text("relay_state"),
    sa.Column("managed_policies", sa.JSON, nullable=False),
    sa.Column("customer_managed_policies", sa.JSON, nullable=False),
    _text("inline_policy"),
    sa.Column("permissions_boundary", sa.JSON),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("created_at", TZ),
    key=("arn",),
)
sa.Index("ix_permission_sets_id", permission_sets.c.snapshot_id, permission_sets.c.id)

accounts = _snapshot_table(
    "accounts",
    sa.Column("id", sa.String(12)),
    _text("name"),
    _text("email"),
    sa.Column("status", sa.String(32)),
    # The account's parent OU (or root) and its path of names (migration 0016).
    sa.Column("ou_id", sa.String(68)),
    _text("ou_name"),
    _text("ou_path"),
    key=("id",),
)

provisioned_pairs = _snapshot_table(
    "provisioned_pairs",
    sa.Column("account_id", sa.String(12)),
    sa.Column("permission_set_arn", sa.String(255)),
    key=("account_id", "permission_set_arn"),
)

# Provisioned pairs whose copy in the account is older than the permission set
# (ListAccountsForProvisionedPermissionSet with ProvisioningStatus
# LATEST_PERMISSION_SET_NOT_PROVISIONED): the drift report's outdated provisioning.
outdated_provisioning = _snapshot_table(
    "outdated_provisioning",
    sa.Column("account_id", sa.String(12)),
    sa.Column("permission_set_arn", sa.String(255)),
    key=("account_id", "permission_set_arn"),
)

assignments = _snapshot_table(
    "assignments",
    sa.Column("account_id", sa.String(12)),
    sa.Column("permission_set_arn", sa.String(255)),
    sa.Column("principal_type", sa.String(8)),
    sa.Column("principal_id", sa.String(64)),
    key=("account_id", "permission_set_arn", "principal_type", "principal_id"),
)
sa.Index(
    "ix_assignments_principal",
    assignments.c.snapshot_id,
    assignments.c.principal_type,
    assignments.c.principal_id,
)

# Identity Center applications and who is assigned to them (issue 12): each is
# served as an Entitlement of type "application" (connector.record_keys).
applications = _snapshot_table(
    "applications",
    sa.Column("arn", sa.String(255)),
    # The entitlement id it is served under ("app.apl-..."), unique in an instance.
    sa.Column("id", sa.String(64), nullable=False),
    _text("name", nullable=False),
    _text("provider_arn", nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("assignment_required", sa.Boolean, nullable=False),
    _text("description"),
    sa.Column("account_id", sa.String(12)),
    sa.Column("created_at", TZ),
    key=("arn",),
)
sa.Index("ix_applications_id", applications.c.snapshot_id, applications.c.id)

application_assignments = _snapshot_table(
    "application_assignments",
    sa.Column("application_arn", sa.String(255)),
    sa.Column("principal_type", sa.String(8)),
    sa.Column("principal_id", sa.String(64)),
    key=("application_arn", "principal_type", "principal_id"),
)
sa.Index(
    "ix_application_assignments_principal",
    application_assignments.c.snapshot_id,
    application_assignments.c.principal_type,
    application_assignments.c.principal_id,
)

# Served documents rendered once per snapshot by the HTTP side (scim.rendering),
# opaque to the store: a snapshot never changes, so neither do they.
rendered_documents = _snapshot_table(
    "rendered_documents",
    sa.Column("resource_type", sa.String(32)),
    sa.Column("id", sa.String(512)),
    sa.Column("document", sa.Text, nullable=False),
    key=("resource_type", "id"),
)

# -- provenance: who made an access, kept across snapshots ----------------------
#
# What the connector learned of who made an assignment (to an account or to an
# application) or a membership and when (its own writes, CloudTrail's caller
# for the others; records.Provenance). A sync cannot read it from AWS, so it
# outlives snapshots: a row goes when its access does (connector.store.provenance).
# One table per kind of access, each keyed as its snapshot table is, so a sync
# prunes each with one anti-join and SQL joins each to its access by its key.


def _provenance_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("granted_at", TZ),
        _text("granted_by"),
        sa.Column("operation_id", sa.String(36)),
    ]


assignment_provenance = sa.Table(
    "assignment_provenance",
    metadata,
    sa.Column("account_id", sa.String(12), primary_key=True),
    sa.Column("permission_set_arn", sa.String(255), primary_key=True),
    sa.Column("principal_type", sa.String(8), primary_key=True),
    sa.Column("principal_id", sa.String(64), primary_key=True),
    *_provenance_columns(),
)

membership_provenance = sa.Table(
    "membership_provenance",
    metadata,
    sa.Column("group_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    *_provenance_columns(),
)

application_assignment_provenance = sa.Table(
    "application_assignment_provenance",
    metadata,
    sa.Column("application_arn", sa.String(255), primary_key=True),
    sa.Column("principal_type", sa.String(8), primary_key=True),
    sa.Column("principal_id", sa.String(64), primary_key=True),
    *_provenance_columns(),
)

# -- last use: when each access was last used, kept across snapshots -----------
#
# The latest sign-in CloudTrail reported per (user, account, role), the role as
# the event named it and, where the snapshot knew it, its permission set
# (connector.store.last_use); and how far the 90-day back-fill has read
# (connector.store.sign_in_backfill).

last_use = sa.Table(
    "last_use",
    metadata,
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.String(12), primary_key=True),
    sa.Column("role_name", sa.String(255), primary_key=True),
    sa.Column("permission_set_arn", sa.String(255)),
    sa.Column("used_at", TZ, nullable=False),
    sa.Column("event_id", sa.String(128), nullable=False),
    # when the connector recorded it (connector.store.rendered); NULL before 0014
    sa.Column("recorded_at", TZ),
    sa.Index("ix_last_use_permission_set", "permission_set_arn", "account_id"),
    sa.Index("ix_last_use_recorded", "recorded_at"),
)

sign_in_backfill = sa.Table(
    "sign_in_backfill",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),  # always 1: one back-fill per store
    sa.Column("window_start", TZ, nullable=False),
    sa.Column("window_end", TZ, nullable=False),
    sa.Column("next_token", sa.Text),
    sa.Column("reached", TZ),
    sa.Column("pages", sa.Integer, nullable=False),
    sa.Column("events", sa.Integer, nullable=False),
    sa.Column("started_at", TZ, nullable=False),
    sa.Column("updated_at", TZ, nullable=False),
    sa.Column("finished_at", TZ),
)

SNAPSHOT_TABLES = (
    users,
    user_emails,
    user_phone_numbers,
    user_addresses,
    external_ids,
    groups,
    memberships,
    permission_sets,
    accounts,
    provisioned_pairs,
    outdated_provisioning,
    assignments,
    applications,
    application_assignments,
    rendered_documents,
)


# -- the change feed -------------------------------------------------------------
#
# Where each event source was read up to, and the events already applied within
# the overlap window (CloudTrail delivers late and out of order, so each poll
# reads part of the previous one again): connector.store.feed_state.

feed_cursors = sa.Table(
    "feed_cursors",
    metadata,
    sa.Column("source", sa.String(128), primary_key=True),
    sa.Column("position", TZ, nullable=False),
    sa.Column("updated_at", TZ, nullable=False),
)

feed_seen_events = sa.Table(
    "feed_seen_events",
    metadata,
    sa.Column("event_id", sa.String(128), primary_key=True),
    sa.Column("event_time", TZ, nullable=False),
    sa.Column("seen_at", TZ, nullable=False),
    sa.Index("ix_feed_seen_events_event_time", "event_time"),
)

# How the feed is keeping up (connector.feed.lag): what it has read up to, its
# last good batch, the newest event it applied, and since when and why its
# batches fail. One row per source kind (cloudtrail | sqs), so status and
# readiness answer from the store, not from the sync process's memory.
feed_health = sa.Table(
    "feed_health",
    metadata,
    sa.Column("source", sa.String(16), primary_key=True),
    sa.Column("read_up_to", TZ),
    sa.Column("polled_at", TZ),
    sa.Column("newest_event_at", TZ),
    sa.Column("failing_since", TZ),
    sa.Column("failure", sa.String(200)),
)

# Who leads a role across replicas (`sync`: the one sync process, full syncs and
# the change feed, of the fleet): a lease its holder renews, taken over once it
# expires. `term` counts holders, so a deposed one can tell (connector.store.leases).
leases = sa.Table(
    "leases",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("holder", sa.String(255), nullable=False),
    sa.Column("term", sa.Integer, nullable=False),
    sa.Column("acquired_at", TZ, nullable=False),
    sa.Column("expires_at", TZ, nullable=False),
)
