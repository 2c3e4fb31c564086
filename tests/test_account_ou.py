"""Each account's organizational unit: read by walking the organization's tree, stored
with the account, kept by the change feed, within the sync's call bound.

The expected places come from the seed's plan (the manifest), not from the code
under test; "access denied" comes from moto's evaluation of a real IAM policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.check import run_check
from connector.connection import connect
from connector.simulator import Manifest, load_plan, simulated_aws
from connector.simulator.plan import OrganisationPlan, PlannedAccount
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store.store import Store
from connector.sync import run_sync
from connector.walk_plan import call_bound
from tests.feed_support import console, feed_of
from tests.live import Live
from tests.simulation import simulator_settings
from tests.test_credentials import iam_enforced, iam_user_with_policy, key_settings, policy_without

TREE_WALK = (
    "organizations:ListRoots",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListAccountsForParent",
)


@pytest.fixture
def small_org() -> Iterator[Manifest]:
    with simulated_aws():
        yield load_plan(plan_organisation(PRESETS["S"]))


def _sync(store_url: str) -> tuple[Store, dict[str, object]]:
    settings = simulator_settings(store_url)
    store = Store.open(settings.database_url)
    return store, run_sync(settings, store, connect(settings)).__dict__


def _places(store: Store) -> dict[str, tuple[str | None, str | None, str | None]]:
    snapshot = store.read_snapshot()
    assert snapshot is not None
    return {a.id: (a.ou_id, a.ou_name, a.ou_path) for a in snapshot.accounts}


def test_a_sync_stores_each_accounts_ou_as_seeded(small_org: Manifest, store_url: str) -> None:
    store, _ = _sync(store_url)
    places = _places(store)
    expected = small_org.expected_account_ous()
    assert {a: path for a, (_, _, path) in places.items()} == {
        a: path for a, (_, path) in expected.items()
    }
    assert any(path.count("/") >= 2 for _, path in expected.values())  # nested OUs seeded
    for account, (ou_id, ou_name, path) in places.items():
        assert path is not None and ou_name == path.rsplit("/", 1)[-1]
        expected_id = expected[account][0]  # None: the root, whose id the manifest lacks
        if expected_id is None:
            assert path == "Root" and ou_id is not None and ou_id.startswith("r-")
        else:
            assert ou_id == expected_id


def test_the_tree_walk_keeps_within_the_call_bound(small_org: Manifest, tmp_path: Path) -> None:
    _, result = _sync(f"sqlite:///{tmp_path}/s.sqlite3")
    counts, calls = result["counts"], result["aws"]["calls"]  # type: ignore[index]
    units = len(small_org.organizational_units)
    sizes = {
        "users": counts["users"],
        "groups": counts["groups"],
        "permission_sets": counts["permission_sets"],
        "accounts": counts["accounts"],
        "pairs": counts["provisioned_pairs"],
        "applications": counts["applications"],
    }
    walked = sum(calls.get(action, 0) for action in TREE_WALK)
    walk_bound = call_bound(**sizes, organizational_units=units) - call_bound(**sizes)
    assert 1 + 2 * (units + 1) <= walked <= walk_bound
    assert result["aws"]["total_calls"] <= call_bound(  # type: ignore[index]
        **sizes, organizational_units=units
    )


def test_a_parent_with_more_than_a_page_of_accounts_and_ous_places_them_all(
    tmp_path: Path,
) -> None:
    """Organizations answers at most 20 a page (API_ListAccountsForParent.html,
    API_ListOrganizationalUnitsForParent.html): the walk follows NextToken."""
    plan = OrganisationPlan(
        accounts=tuple(
            PlannedAccount(f"a{n:02d}", f"busy-{n:02d}", f"busy{n:02d}@example.com", ("Busy",))
            for n in range(23)
        ),
        empty_ous=tuple(("Many", f"unit-{n:02d}") for n in range(22)),
    )
    with simulated_aws():
        manifest = load_plan(plan)
        store, result = _sync(f"sqlite:///{tmp_path}/s.sqlite3")
    assert {a: p for a, (_, _, p) in _places(store).items()} == {
        a: path for a, (_, path) in manifest.expected_account_ous().items()
    }
    calls = result["aws"]["calls"]  # type: ignore[index]
    parents = len(manifest.organizational_units) + 1
    assert calls["organizations:ListAccountsForParent"] == parents + 1  # Busy's second page
    assert calls["organizations:ListOrganizationalUnitsForParent"] == parents + 1  # Many's


def test_without_the_tree_walk_accounts_keep_their_names_and_the_ou_is_unknown(
    tmp_path: Path,
) -> None:
    with simulated_aws():
        manifest = load_plan(plan_organisation(PRESETS["tiny"]))
        key_id, secret = iam_user_with_policy(policy_without("organizations:ListRoots"))
        settings = key_settings(tmp_path, key_id, secret)
        store = Store.open(settings.database_url)
        with iam_enforced():
            report = run_check(connect(settings), settings)
            result = run_sync(settings, store, connect(settings))
    assert report.ok
    denied = [(r.action, r.optional) for r in report.results if r.allowed is False]
    assert denied == [("organizations:ListRoots", True)]
    assert result.organizations_unavailable is None
    snapshot = store.read_snapshot()
    assert snapshot is not None
    assert {a.id for a in snapshot.accounts} == set(manifest.expected_account_ous())
    assert all(a.name for a in snapshot.accounts)
    assert {(a.ou_id, a.ou_name, a.ou_path) for a in snapshot.accounts} == {(None, None, None)}


def test_an_account_moved_in_the_console_takes_its_new_ou_from_the_feed(live: Live) -> None:
    m = live.manifest
    organizations = console(live, "organizations")
    account, (_, path) = next(
        (a, place) for a, place in m.expected_account_ous().items() if place[1] != "Root"
    )
    root = organizations.list_roots()["Roots"][0]["Id"]
    unit = organizations.create_organizational_unit(ParentId=root, Name="Moved")
    organizations.move_account(
        AccountId=account,
        SourceParentId=organizations.list_parents(ChildId=account)["Parents"][0]["Id"],
        DestinationParentId=unit["OrganizationalUnit"]["Id"],
    )
    assert _places(live.store)[account][2] == path

    feed_of(live)[0].step()

    assert _places(live.store)[account] == (unit["OrganizationalUnit"]["Id"], "Moved", "Root/Moved")
