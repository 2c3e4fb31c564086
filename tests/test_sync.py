"""A sync puts exactly the simulated organisation in the store, within its call budget."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connector.connection import connect
from connector.simulator import Manifest, behaviour, load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store.store import Store
from connector.sync import run_sync
from connector.walk_plan import call_bound
from tests.simulation import differences, simulator_settings


@pytest.fixture
def small_org() -> Iterator[Manifest]:
    with simulated_aws():
        yield load_plan(plan_organisation(PRESETS["S"]))


def sync_once(store_url: str, **overrides: object) -> tuple[Store, dict[str, object]]:
    settings = simulator_settings(store_url, **overrides)
    store = Store.open(settings.database_url)
    result = run_sync(settings, store, connect(settings))
    return store, result.__dict__


def test_sync_stores_exactly_the_seeded_organisation(small_org: Manifest, store_url: str) -> None:
    store, result = sync_once(store_url)
    snapshot = store.read_snapshot()
    assert snapshot is not None
    assert differences(snapshot, small_org) == {}
    assert [a.id for a in snapshot.accounts].count(small_org.management_account_id) == 1
    assert result["counts"]["users"] == len(small_org.plan.users)


def test_sync_reads_every_user_attribute(small_org: Manifest, tmp_path: object) -> None:
    store, _ = sync_once(f"sqlite:///{tmp_path}/s.sqlite3")
    snapshot = store.read_snapshot()
    assert snapshot is not None
    stored = {u.id: u for u in snapshot.users}
    for planned in small_org.plan.users:
        user = stored[small_org.users[planned.key]]
        assert (user.middle_name, user.honorific_prefix, user.honorific_suffix) == (
            planned.middle_name,
            planned.honorific_prefix,
            planned.honorific_suffix,
        )
        assert user.profile_url == planned.profile_url
        assert [(p.value, p.type, p.primary) for p in user.phone_numbers] == [
            (p.value, p.type, p.primary) for p in planned.phone_numbers
        ]
        assert [(a.locality, a.country, a.postal_code, a.type) for a in user.addresses] == [
            (a.locality, a.country, a.postal_code, a.type) for a in planned.addresses
        ]


def test_every_walk_reads_the_same_assignments(small_org: Manifest, tmp_path: object) -> None:
    seen = {}
    for walk in ("permission_sets", "accounts", "principals"):
        store, result = sync_once(f"sqlite:///{tmp_path}/{walk}.sqlite3", assignment_walk=walk)
        snapshot = store.read_snapshot()
        assert snapshot is not None
        seen[walk] = {
            (a.account_id, a.permission_set_arn, a.principal_type, a.principal_id)
            for a in snapshot.assignments
        }
        assert seen[walk] == small_org.expected_assignments(), walk
        assert (
            result["walk"]
            == {
                "permission_sets": {
                    "pair_discovery": "permission_sets",
                    "assignment_walk": "pairs",
                },
                "accounts": {"pair_discovery": "accounts", "assignment_walk": "pairs"},
                "principals": {
                    "pair_discovery": "permission_sets",
                    "assignment_walk": "principals",
                },
            }[walk]
        )


def test_resync_without_changes_records_none(small_org: Manifest, tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/s.sqlite3"
    _, first = sync_once(url)
    _, second = sync_once(url)
    assert first["changes"]["added"]["user"] == len(small_org.plan.users)
    assert second["changes"] == {"added": {}, "changed": {}, "removed": {}}


def test_resync_records_what_changed_in_aws(small_org: Manifest, tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/s.sqlite3"
    sync_once(url)
    sim_user = next(iter(small_org.users.values()))
    import boto3

    identitystore = boto3.client("identitystore", region_name="us-east-1")
    identitystore.update_user(
        IdentityStoreId=small_org.identity_store_id,
        UserId=sim_user,
        Operations=[{"AttributePath": "title", "AttributeValue": "Chief Tester"}],
    )
    group = next(iter(small_org.groups.values()))
    identitystore.delete_group(IdentityStoreId=small_org.identity_store_id, GroupId=group)
    store, result = sync_once(url)
    assert result["changes"]["changed"].get("user") == 1
    assert result["changes"]["removed"]["group"] == 1
    snapshot = store.read_snapshot()
    assert snapshot is not None
    assert {u.id: u.title for u in snapshot.users}[sim_user] == "Chief Tester"
    assert group not in {g.id for g in snapshot.groups}


def test_accounts_without_organizations_are_known_by_id(
    small_org: Manifest, tmp_path: object
) -> None:
    store, result = sync_once(f"sqlite:///{tmp_path}/s.sqlite3", organizations="off")
    snapshot = store.read_snapshot()
    assert snapshot is not None
    provisioned = {account for account, _ in small_org.expected_provisioned_pairs()}
    assert {a.id for a in snapshot.accounts} == provisioned
    assert all(a.name is None for a in snapshot.accounts)
    assert result["organizations_unavailable"] == "disabled by IDCC_ORGANIZATIONS=off"
    assert not any(key.startswith("organizations:") for key in result["aws"]["calls"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_dataset_m_is_stored_exactly_within_the_call_bound(
    backend: str, request: pytest.FixtureRequest, tmp_path: object
) -> None:
    """The issue's acceptance test: 2,000 users ... 2,400 assignments, on both stores."""
    url = (
        f"sqlite:///{tmp_path}/m.sqlite3"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    with simulated_aws():
        manifest = load_plan(plan_organisation(PRESETS["M"]))
        store, result = sync_once(url)
        snapshot = store.read_snapshot()
    assert snapshot is not None
    assert differences(snapshot, manifest) == {}
    counts = result["counts"]
    assert (counts["users"], counts["groups"], counts["memberships"]) == (2000, 200, 6000)
    assert (counts["permission_sets"], counts["assignments"]) == (50, 2400)
    bound = call_bound(
        users=counts["users"],
        groups=counts["groups"],
        permission_sets=counts["permission_sets"],
        accounts=counts["accounts"],
        pairs=counts["provisioned_pairs"],
        organizational_units=len(manifest.organizational_units),
    )
    assert result["aws"]["total_calls"] <= bound


def test_sync_survives_throttling_and_counts_it(tmp_path: object) -> None:
    with simulated_aws():
        manifest = load_plan(plan_organisation(PRESETS["tiny"]))
        behaviour().update(throttled_fraction=0.1)
        store, result = sync_once(f"sqlite:///{tmp_path}/s.sqlite3")
        snapshot = store.read_snapshot()
    assert snapshot is not None
    assert differences(snapshot, manifest) == {}
    aws = result["aws"]
    assert aws["total_throttles"] > 0
    assert aws["http_attempts"] == aws["total_calls"] + aws["total_throttles"]
