"""A write moves exactly the served resources whose digests a full sync of the same
AWS state changes, and records the digest that sync computes.

Each case publishes a snapshot (as a sync does), applies one write-through
function to it, and compares the served resources whose change record moved
with those whose digests differ between `resource_digests` of the snapshot
before and of the snapshot after the write: the AWS state the next sync reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from connector.records import (
    Account,
    Application,
    ApplicationAssignment,
    Assignment,
    Email,
    ExternalId,
    Group,
    Membership,
    PermissionSet,
    ProvisionedPair,
    Snapshot,
    User,
)
from connector.served import registry
from connector.served.relations import Relations
from connector.served.rows import (
    AccountRow,
    ApplicationRow,
    GroupRow,
    MembershipRow,
    PermissionSetRow,
    Row,
    UserRow,
)
from connector.served.served_type import RESOURCE_PREFIX
from connector.store import tables, write_through
from connector.store.resource_digests import resource_digests
from connector.store.served_rows import StoredRows
from connector.store.store import Store
from connector.writers.replay import replay_writes
from tests.simulation import synced

PS_READ = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-00000000000000aa"
PS_ADMIN = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-00000000000000bb"
PROD, DEV = "111122223333", "444455556666"

ALICE = User(
    id="u-alice",
    user_name="alice@example.com",
    display_name="Alice",
    title="Engineer",
    emails=(Email("alice@example.com", "work", True),),
    external_ids=(ExternalId("okta", "00u1"),),
    enterprise={"department": "Payments"},
)
BOB = User(id="u-bob", user_name="bob@example.com", display_name="Bob")
CAROL = User(id="u-carol", user_name="carol@example.com")  # shown under her userName
DAVE = User(id="u-dave", user_name="dave@example.com", display_name="Dave")
PAYMENTS = Group(id="g-payments", display_name="Payments", description="Payments team")
OPS = Group(id="g-ops", display_name="Ops")

BEFORE = Snapshot(
    instance_arn="arn:aws:sso:::instance/ssoins-1234567890abcdef",
    identity_store_id="d-1234567890",
    users=(ALICE, BOB, CAROL, DAVE),
    groups=(PAYMENTS, OPS),
    memberships=(
        Membership("m-1", PAYMENTS.id, ALICE.id),
        Membership("m-2", PAYMENTS.id, BOB.id),
        Membership("m-3", OPS.id, BOB.id),
        Membership("m-4", OPS.id, CAROL.id),
    ),
    permission_sets=(
        PermissionSet(arn=PS_READ, name="ReadOnly"),
        PermissionSet(arn=PS_ADMIN, name="Admin"),
    ),
    accounts=(Account(PROD, "prod", "prod@example.com", "ACTIVE"), Account(DEV, "dev")),
    provisioned_pairs=(ProvisionedPair(PROD, PS_READ), ProvisionedPair(DEV, PS_READ)),
    assignments=(
        Assignment(PROD, PS_READ, "GROUP", PAYMENTS.id),
        Assignment(PROD, PS_READ, "USER", ALICE.id),
        Assignment(DEV, PS_READ, "USER", CAROL.id),
        Assignment(DEV, PS_READ, "GROUP", OPS.id),
    ),
)

Apply = Callable[[sa.Connection, datetime], None]


@dataclass(frozen=True)
class Write:
    """One write-through call, the stored rows it changes, and the snapshot a sync
    would read after it."""

    name: str
    apply: Apply
    rows: list[Row]
    after: Snapshot


def _with(snapshot: Snapshot, **added: tuple[Any, ...]) -> Snapshot:
    return replace(snapshot, **{k: (*getattr(snapshot, k), *v) for k, v in added.items()})


def _without(snapshot: Snapshot, keep: Callable[[Any], bool]) -> Snapshot:
    fields = ("users", "groups", "memberships", "assignments", "provisioned_pairs")
    return replace(
        snapshot, **{k: tuple(r for r in getattr(snapshot, k) if keep(r)) for k in fields}
    )


def _grant(name: str, a: Assignment) -> Write:
    pair = ProvisionedPair(a.account_id, a.permission_set_arn)
    provisioned = () if pair in BEFORE.provisioned_pairs else (pair,)
    after = BEFORE if a in BEFORE.assignments else _with(BEFORE, assignments=(a,))
    return Write(
        name,
        lambda c, now: write_through.grant(c, a, now),
        [a, pair],
        _with(after, provisioned_pairs=provisioned),
    )


def _revoke(name: str, a: Assignment) -> Write:
    return Write(
        name,
        lambda c, now: write_through.revoke(c, a, now),
        [a],
        _without(BEFORE, lambda r: r != a),
    )


def _put(name: str, record: User | Group) -> Write:
    """Create or replace a user or group, as AWS describes it after the write."""
    put: Callable[[sa.Connection, Any, datetime], None]
    if isinstance(record, User):
        field, row, put = "users", UserRow(record.id), write_through.put_user
    else:
        field, row, put = "groups", GroupRow(record.id), write_through.put_group
    kept = tuple(r for r in getattr(BEFORE, field) if r.id != record.id)
    return Write(
        name,
        lambda c, now: put(c, record, now),
        [row],
        replace(BEFORE, **{field: (*kept, record)}),
    )


def _delete(name: str, principal_type: str, principal_id: str) -> Write:
    """A principal leaves with its memberships and assignments."""
    is_user = principal_type == "USER"

    def leaves(record: Any) -> bool:
        match record:
            case User(id=i) | Group(id=i):
                return i == principal_id and isinstance(record, User) == is_user
            case Membership(user_id=u, group_id=g):
                return (u if is_user else g) == principal_id
            case Assignment(principal_type=k, principal_id=i):
                return (k, i) == (principal_type, principal_id)
        return False

    gone = [
        r for f in ("users", "groups", "memberships", "assignments") for r in getattr(BEFORE, f)
    ]
    gone = [r for r in gone if leaves(r)]
    rows: list[Row] = [
        MembershipRow(r.group_id, r.user_id) if isinstance(r, Membership) else r
        for r in gone
        if isinstance(r, Membership | Assignment)
    ]
    remove = write_through.remove_user if is_user else write_through.remove_group
    return Write(
        name,
        lambda c, now: remove(c, principal_id, now),
        [UserRow(principal_id) if is_user else GroupRow(principal_id), *rows],
        _without(BEFORE, lambda r: not leaves(r)),
    )


def _membership(name: str, membership: Membership, *, added: bool) -> Write:
    row = MembershipRow(membership.group_id, membership.user_id)
    if added:
        return Write(
            name,
            lambda c, now: write_through.add_member(c, membership, now),
            [row],
            _with(BEFORE, memberships=(membership,)),
        )
    return Write(
        name,
        lambda c, now: write_through.remove_member(c, row.group_id, row.user_id, now),
        [row],
        _without(BEFORE, lambda r: r != membership),
    )


WRITES = [
    _grant("grant to a user, provisioning the pair", Assignment(PROD, PS_ADMIN, "USER", BOB.id)),
    _grant("grant a user holds already", BEFORE.assignments[1]),
    _grant("grant to a group", Assignment(DEV, PS_ADMIN, "GROUP", OPS.id)),
    _revoke("revoke from a user", BEFORE.assignments[1]),
    _revoke("revoke from a group", BEFORE.assignments[0]),
    _membership("add a member", Membership("m-5", OPS.id, DAVE.id), added=True),
    _membership("remove a member", BEFORE.memberships[1], added=False),
    _put("create a user", User(id="u-erin", user_name="erin@example.com", display_name="Erin")),
    _put("rename a user", replace(ALICE, display_name="Alice Liddell")),
    _put("change what only the user shows", replace(ALICE, title="Staff Engineer")),
    _delete("delete a user", "USER", BOB.id),
    _delete("delete a user with direct access", "USER", ALICE.id),
    _put("create a group", Group(id="g-platform", display_name="Platform")),
    _put("rename a group", replace(PAYMENTS, display_name="Payments & Billing")),
    _put("change what only the group shows", replace(PAYMENTS, description="Pays")),
    _delete("delete a group", "GROUP", PAYMENTS.id),
]


def _served_versions(store: Store) -> dict[tuple[str, str], tuple[Any, ...]]:
    versions = tables.object_versions
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(versions).where(versions.c.object_type.startswith(RESOURCE_PREFIX))
        )
        return {
            (row.object_type, row.object_id): (
                row.content_hash,
                row.last_modified_at,
                row.removed_at,
            )
            for row in rows
        }


def _differing(before: dict[Any, Any], after: dict[Any, Any]) -> set[Any]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def _rows(snapshot: Snapshot) -> dict[str, set[Any]]:
    fields = ("users", "groups", "permission_sets", "accounts", "provisioned_pairs")
    rows = {name: set(getattr(snapshot, name)) for name in fields}
    rows["memberships"] = {(m.group_id, m.user_id) for m in snapshot.memberships}
    rows["assignments"] = set(snapshot.assignments)
    return rows


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_a_write_moves_exactly_the_resources_a_sync_of_its_result_changes(
    store: Store, write: Write
) -> None:
    sync_id = store.begin_sync()
    store.publish(
        sync_id, BEFORE, aws={}, walk={}, organizations_unavailable=None, replay=replay_writes
    )
    recorded = _served_versions(store)
    with store.writing() as connection:
        write.apply(connection, datetime.now(UTC) + timedelta(seconds=1))
    now_recorded = _served_versions(store)
    moved = _differing(recorded, now_recorded)
    expected = _differing(resource_digests(BEFORE), resource_digests(write.after))

    assert moved == expected
    served = store.read_snapshot()
    assert served is not None and _rows(served) == _rows(write.after)
    after = resource_digests(write.after)
    assert {k: v[0] for k, v in now_recorded.items() if v[2] is None} == after
    assert all(now_recorded[key][2] is not None for key in recorded.keys() - after.keys())


# -- the dependencies themselves, in memory, for every kind of stored row -----------------

ROW_CHANGES: list[tuple[str, list[Row], Snapshot]] = [
    *((w.name, w.rows, w.after) for w in WRITES),
    (
        "rename a permission set",
        [PermissionSetRow(PS_READ)],
        replace(
            BEFORE,
            permission_sets=(
                replace(BEFORE.permission_sets[0], name="ReadEverything"),
                BEFORE.permission_sets[1],
            ),
        ),
    ),
    (
        "rename an account",
        [AccountRow(DEV)],
        replace(BEFORE, accounts=(BEFORE.accounts[0], replace(BEFORE.accounts[1], name="dev-1"))),
    ),
    (
        "provision a pair",
        [ProvisionedPair(DEV, PS_ADMIN)],
        _with(BEFORE, provisioned_pairs=(ProvisionedPair(DEV, PS_ADMIN),)),
    ),
]


# -- application entitlements: the rows they read and the rows that read them -------------

WIKI = Application(
    arn="arn:aws:sso::111122223333:application/ssoins-1234567890abcdef/apl-0000000000000001",
    name="Wiki",
    provider_arn="arn:aws:sso::aws:applicationProvider/custom-saml",
    status="ENABLED",
    account_id=PROD,
)
PORTAL = Application(
    arn="arn:aws:sso::111122223333:application/ssoins-1234567890abcdef/apl-0000000000000002",
    name="Portal",
    provider_arn="arn:aws:sso::aws:applicationProvider/custom",
    status="ENABLED",
    assignment_required=False,
)
WITH_APPLICATIONS = _with(
    BEFORE,
    applications=(WIKI, PORTAL),
    application_assignments=(
        ApplicationAssignment(WIKI.arn, "USER", CAROL.id),
        ApplicationAssignment(WIKI.arn, "GROUP", PAYMENTS.id),
    ),
)


def _unassigned(snapshot: Snapshot, gone: ApplicationAssignment) -> Snapshot:
    kept = tuple(a for a in snapshot.application_assignments if a != gone)
    return replace(snapshot, application_assignments=kept)


APPLICATION_CHANGES: list[tuple[str, list[Row], Snapshot]] = [
    (
        "rename an application",
        [ApplicationRow(WIKI.arn)],
        replace(WITH_APPLICATIONS, applications=(replace(WIKI, name="Confluence"), PORTAL)),
    ),
    (
        "disable an application",
        [ApplicationRow(PORTAL.arn)],
        replace(WITH_APPLICATIONS, applications=(WIKI, replace(PORTAL, status="DISABLED"))),
    ),
    (
        "assign an application to a user",
        [ApplicationAssignment(PORTAL.arn, "USER", DAVE.id)],
        _with(
            WITH_APPLICATIONS,
            application_assignments=(ApplicationAssignment(PORTAL.arn, "USER", DAVE.id),),
        ),
    ),
    (
        "assign an application to a group",
        [ApplicationAssignment(PORTAL.arn, "GROUP", OPS.id)],
        _with(
            WITH_APPLICATIONS,
            application_assignments=(ApplicationAssignment(PORTAL.arn, "GROUP", OPS.id),),
        ),
    ),
    (
        "unassign a group from an application",
        [ApplicationAssignment(WIKI.arn, "GROUP", PAYMENTS.id)],
        _unassigned(WITH_APPLICATIONS, ApplicationAssignment(WIKI.arn, "GROUP", PAYMENTS.id)),
    ),
    (
        "rename a user assigned to an application",
        [UserRow(CAROL.id)],
        replace(
            WITH_APPLICATIONS,
            users=tuple(
                replace(u, display_name="Carol") if u.id == CAROL.id else u
                for u in WITH_APPLICATIONS.users
            ),
        ),
    ),
    (
        "rename a group assigned to an application",
        [GroupRow(PAYMENTS.id)],
        replace(
            WITH_APPLICATIONS,
            groups=tuple(
                replace(g, display_name="Payments EU") if g.id == PAYMENTS.id else g
                for g in WITH_APPLICATIONS.groups
            ),
        ),
    ),
]


CHANGES = [(BEFORE, *c) for c in ROW_CHANGES] + [
    (WITH_APPLICATIONS, *c) for c in APPLICATION_CHANGES
]


@pytest.mark.parametrize("change", CHANGES, ids=[c[1] for c in CHANGES])
def test_the_dependents_of_changed_rows_cover_every_digest_they_change(
    change: tuple[Snapshot, str, list[Row], Snapshot],
) -> None:
    before, name, rows, after = change
    candidates = registry.dependents(Relations(before), rows)
    candidates |= registry.dependents(Relations(after), rows)
    changed = _differing(resource_digests(before), resource_digests(after))
    assert {(f"{RESOURCE_PREFIX}{kind}", i) for kind, i in candidates} >= changed, name


def test_every_application_change_moves_some_digest() -> None:
    """Else the coverage test above would hold of application rows read by nothing."""
    before = resource_digests(WITH_APPLICATIONS)
    for name, _, after in APPLICATION_CHANGES:
        assert _differing(before, resource_digests(after)), name


def test_an_application_assignment_changes_its_entitlement_and_its_holders() -> None:
    before = resource_digests(WITH_APPLICATIONS)
    after = resource_digests(
        _with(
            WITH_APPLICATIONS,
            application_assignments=(ApplicationAssignment(PORTAL.arn, "GROUP", OPS.id),),
        )
    )
    portal = "app.apl-0000000000000002"
    # The group, its members (BOB, CAROL: effective access) and the application.
    assert _differing(before, after) == {
        (f"{RESOURCE_PREFIX}Entitlement", portal),
        (f"{RESOURCE_PREFIX}Group", OPS.id),
        (f"{RESOURCE_PREFIX}User", BOB.id),
        (f"{RESOURCE_PREFIX}User", CAROL.id),
    }


@pytest.mark.parametrize(
    "snapshot",
    [BEFORE, *(w.after for w in WRITES), WITH_APPLICATIONS, *(c[2] for c in APPLICATION_CHANGES)],
    ids=[
        "before",
        *(w.name for w in WRITES),
        "with applications",
        *(c[0] for c in APPLICATION_CHANGES),
    ],
)
def test_the_rows_a_type_loads_give_the_digest_of_the_whole_snapshot(snapshot: Snapshot) -> None:
    whole = resource_digests(snapshot)
    for key, digest in whole.items():
        resource = (key[0][len(RESOURCE_PREFIX) :], key[1])
        assert registry.digests(Relations(snapshot), [resource]) == {resource: digest}, key


def test_digests_read_back_from_the_store_equal_those_the_sync_recorded(tmp_path: Any) -> None:
    found = synced(f"sqlite:///{tmp_path}/store.sqlite3")
    recorded = {k: v[0] for k, v in _served_versions(found.store).items() if v[2] is None}
    resources = [(kind[len(RESOURCE_PREFIX) :], i) for kind, i in recorded]
    with found.store.reading() as connection:
        snapshot_id = connection.execute(
            sa.select(tables.current_snapshot.c.snapshot_id)
        ).scalar_one()
        read_back = registry.digests(StoredRows(connection, snapshot_id), resources)
    found.store.close()
    assert {kind for kind, _ in resources} == set(registry.BY_NAME)
    assert {(f"{RESOURCE_PREFIX}{kind}", i): d for (kind, i), d in read_back.items()} == recorded
