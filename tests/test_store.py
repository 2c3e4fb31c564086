"""The store keeps complete snapshots, switches atomically, and records changes."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import alembic.autogenerate
import alembic.migration
import pytest
import sqlalchemy as sa

from connector.errors import SyncInProgressError
from connector.records import (
    Account,
    Address,
    Assignment,
    CustomerManagedPolicy,
    Email,
    ExternalId,
    Group,
    ManagedPolicy,
    Membership,
    PermissionsBoundary,
    PermissionSet,
    PhoneNumber,
    Photo,
    ProvisionedPair,
    Role,
    Snapshot,
    User,
)
from connector.store import tables
from connector.store.store import Store
from connector.writers.replay import replay_writes

PS_ARN = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"


def make_snapshot(**changes: object) -> Snapshot:
    alice = User(
        id="u-1",
        user_name="alice@example.com",
        display_name="Alice Ä. Example",
        given_name="Alice",
        family_name="Example",
        title="Engineer",
        emails=(
            Email("alice@example.com", "work", True),
            Email("alice@home.example", "home", False),
        ),
        phone_numbers=(PhoneNumber("+1 555 0100", "work", True),),
        addresses=(Address(locality="Zürich", country="CH", type="work", primary=True),),
        external_ids=(ExternalId("https://sts.windows.net/x/", "abc"),),
        enterprise={"department": "Payments", "manager": {"value": "u-2"}},
        roles=(Role("Payments lead", "work", True),),
        photos=(Photo("https://example.com/alice.png", "photo", "Alice", True),),
        website="https://alice.example.com",
        birthdate="1990-04-01",
    )
    bob = User(id="u-2", user_name="bob", display_name="山田 太郎")
    group = Group(
        id="g-1",
        display_name="Payments",
        description="Payments team",
        external_ids=(ExternalId("okta", "00g1"),),
    )
    permission_set = PermissionSet(
        arn=PS_ARN,
        name="ReadOnly",
        description="read",
        session_duration="PT4H",
        managed_policies=(
            ManagedPolicy("arn:aws:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
        ),
        customer_managed_policies=(CustomerManagedPolicy("custom", "/team/"),),
        inline_policy='{"Version": "2012-10-17", "Statement": []}',
        permissions_boundary=PermissionsBoundary(
            managed_policy_arn="arn:aws:iam::aws:policy/PowerUserAccess"
        ),
        tags=(("team", "payments"),),
    )
    snapshot = Snapshot(
        instance_arn="arn:aws:sso:::instance/ssoins-1234567890abcdef",
        identity_store_id="d-1234567890",
        users=(alice, bob),
        groups=(group,),
        memberships=(Membership("m-1", "g-1", "u-1"),),
        permission_sets=(permission_set,),
        accounts=(Account("111122223333", "prod", "prod@example.com", "ACTIVE"),),
        provisioned_pairs=(ProvisionedPair("111122223333", PS_ARN),),
        assignments=(
            Assignment("111122223333", PS_ARN, "GROUP", "g-1"),
            Assignment("111122223333", PS_ARN, "USER", "u-2"),
        ),
    )
    return replace(snapshot, **changes)  # type: ignore[arg-type]


def publish(store: Store, snapshot: Snapshot) -> int:
    sync_id = store.begin_sync()
    store.publish(
        sync_id, snapshot, aws={}, walk={}, organizations_unavailable=None, replay=replay_writes
    )
    return sync_id


def test_published_snapshot_reads_back_equal(store: Store) -> None:
    snapshot = make_snapshot()
    publish(store, snapshot)
    assert store.read_snapshot() == snapshot


def test_no_snapshot_before_the_first_sync(store: Store) -> None:
    assert store.read_snapshot() is None
    assert store.current_snapshot_id() is None


def test_new_snapshot_replaces_the_old_and_old_rows_are_dropped(store: Store) -> None:
    first = publish(store, make_snapshot())
    smaller = make_snapshot(users=make_snapshot().users[:1], assignments=())
    second = publish(store, smaller)
    assert store.current_snapshot_id() == second
    assert store.read_snapshot() == smaller
    with store.engine.connect() as connection:
        leftovers = connection.execute(
            sa.select(sa.func.count())
            .select_from(tables.users)
            .where(tables.users.c.snapshot_id == first)
        ).scalar_one()
    assert leftovers == 0


def test_failed_sync_leaves_previous_snapshot_and_records_the_reason(store: Store) -> None:
    snapshot = make_snapshot()
    good = publish(store, snapshot)
    failed = store.begin_sync()
    store.fail_sync(failed, "AccessDeniedException on ListUsers")
    assert store.current_snapshot_id() == good
    assert store.read_snapshot() == snapshot
    record = store.syncs(limit=1)[0]
    assert (record.id, record.outcome, record.error) == (
        failed,
        "failed",
        "AccessDeniedException on ListUsers",
    )


def test_publish_that_fails_midway_rolls_back_everything(store: Store) -> None:
    snapshot = make_snapshot()
    good = publish(store, snapshot)
    sync_id = store.begin_sync()
    duplicate_users = make_snapshot(users=(snapshot.users[0], snapshot.users[0]))
    with pytest.raises(sa.exc.IntegrityError):
        store.publish(
            sync_id,
            duplicate_users,
            aws={},
            walk={},
            organizations_unavailable=None,
            replay=replay_writes,
        )
    assert store.current_snapshot_id() == good
    assert store.read_snapshot() == snapshot


def test_change_record_counts_added_changed_and_removed(store: Store) -> None:
    snapshot = make_snapshot()
    first = store.begin_sync()
    summary = store.publish(
        first, snapshot, aws={}, walk={}, organizations_unavailable=None, replay=replay_writes
    )
    assert summary.added == {
        "user": 2,
        "group": 1,
        "membership": 1,
        "permission_set": 1,
        "account": 1,
        "provisioned_pair": 1,
        "assignment": 2,
    }
    renamed = replace(snapshot.users[1], display_name="Bob B.")
    changed = make_snapshot(users=(renamed,), memberships=(), assignments=snapshot.assignments[:1])
    second = store.begin_sync()
    summary = store.publish(
        second, changed, aws={}, walk={}, organizations_unavailable=None, replay=replay_writes
    )
    assert summary.changed == {"user": 1}
    assert summary.removed == {"user": 1, "assignment": 1, "membership": 1}
    assert summary.added == {}
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(tables.object_versions).where(tables.object_versions.c.object_type == "user")
        ).all()
    by_id = {row.object_id: row for row in rows}
    assert by_id["u-1"].removed_at is not None
    assert by_id["u-2"].removed_at is None
    assert by_id["u-2"].last_modified_at > by_id["u-2"].created_at


def test_unchanged_resync_records_no_changes(store: Store) -> None:
    publish(store, make_snapshot())
    sync_id = store.begin_sync()
    summary = store.publish(
        sync_id,
        make_snapshot(),
        aws={},
        walk={},
        organizations_unavailable=None,
        replay=replay_writes,
    )
    assert summary.as_dict() == {"added": {}, "changed": {}, "removed": {}}


def test_sync_of_a_dead_process_is_recorded_as_interrupted(store: Store) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    orphan = store.begin_sync()
    with store.engine.begin() as connection:
        connection.execute(
            tables.syncs.update().where(tables.syncs.c.id == orphan).values(pid=dead_pid)
        )
    store.begin_sync()
    record = next(s for s in store.syncs() if s.id == orphan)
    assert record.outcome == "failed"
    assert record.error is not None and record.error.startswith("interrupted")


def test_a_second_sync_cannot_start_while_one_runs(store: Store) -> None:
    store.begin_sync()
    with pytest.raises(SyncInProgressError):
        store.begin_sync()


def test_migrations_create_exactly_the_declared_schema(store_url: str) -> None:
    store = Store.open(store_url)
    with store.engine.connect() as connection:
        context = alembic.migration.MigrationContext.configure(connection)
        differences = alembic.autogenerate.compare_metadata(context, tables.metadata)
    store.close()
    assert differences == []


def test_opening_twice_migrates_once(store_url: str) -> None:
    Store.open(store_url).close()
    store = Store.open(store_url)
    with store.engine.connect() as connection:
        version = (
            connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        )
    store.close()
    assert len(version) == 1


def test_sqlite_store_directory_is_created(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "nested", "dir", "store.sqlite3")
    Store.open(f"sqlite:///{path}").close()
    assert os.path.exists(path)


def test_sync_with_a_stale_heartbeat_is_dead_even_if_its_pid_lives(store: Store) -> None:
    # After a container restart the same host and pid may belong to another process.
    orphan = store.begin_sync()
    with store.engine.begin() as connection:
        connection.execute(
            tables.syncs.update()
            .where(tables.syncs.c.id == orphan)
            .values(pid=os.getppid(), heartbeat_at=datetime.now(UTC) - timedelta(days=3))
        )
    store.begin_sync()
    assert next(s for s in store.syncs() if s.id == orphan).outcome == "failed"


def test_times_are_kept_in_utc_whatever_their_zone(store: Store) -> None:
    new_york = timezone(timedelta(hours=-5))
    created = datetime(2026, 11, 23, 17, 13, tzinfo=new_york)
    user = replace(make_snapshot().users[0], created_at=created)
    publish(store, make_snapshot(users=(user,), memberships=()))
    snapshot = store.read_snapshot()
    assert snapshot is not None
    stored = snapshot.users[0].created_at
    assert stored is not None and stored.tzinfo is not None
    assert stored == created  # the same instant
    assert stored.utcoffset() == timedelta(0)
