"""The assignment walk is the cheapest one allowed, from the counts known before it."""

from __future__ import annotations

import pytest

from connector.errors import ConfigError
from connector.records import (
    Account,
    Assignment,
    Group,
    Membership,
    PermissionSet,
    ProvisionedPair,
    Snapshot,
    User,
)
from connector.walk_plan import (
    WalkChoice,
    call_bound,
    choose_assignment_walk,
    choose_pair_discovery,
    listing_sizes,
    page_aware_bound,
    snapshot_call_bound,
)


def test_pairs_are_found_per_account_only_when_accounts_are_fewer() -> None:
    assert choose_pair_discovery(50, 100) == "permission_sets"
    assert choose_pair_discovery(100, 20) == "accounts"
    assert choose_pair_discovery(100, None) == "permission_sets"


def test_principal_walk_only_when_cheaper_and_allowed() -> None:
    assert choose_assignment_walk(5000, 2000, 200, principal_walk_allowed=True) == "principals"
    assert choose_assignment_walk(800, 2000, 200, principal_walk_allowed=True) == "pairs"
    assert choose_assignment_walk(5000, 2000, 200, principal_walk_allowed=False) == "pairs"


def test_forced_walks_are_honoured_or_refused_clearly() -> None:
    assert choose_assignment_walk(1, 9, 9, principal_walk_allowed=True, forced="principals") == (
        "principals"
    )
    assert choose_pair_discovery(10, 100, forced="accounts") == "accounts"
    with pytest.raises(ConfigError, match="management account"):
        choose_assignment_walk(1, 1, 1, principal_walk_allowed=False, forced="principals")
    with pytest.raises(ConfigError, match="Organizations"):
        choose_pair_discovery(10, None, forced="accounts")


def test_call_bound_matches_the_documented_formula_for_dataset_m() -> None:
    # 6 + 20 + 2 + 200 + 8*50 + 5 + min(50 + 800, 2200) + (ceil(20/50) - 1) + 2*20
    bound = call_bound(
        users=2000, groups=200, permission_sets=50, accounts=100, pairs=800, applications=20
    )
    assert bound == 1483 + 40


def test_applications_beyond_fifty_take_a_further_listing_page_each_fifty() -> None:
    counts = {"users": 0, "groups": 0, "permission_sets": 0, "accounts": 0, "pairs": 0}
    assert call_bound(**counts, applications=51) - call_bound(**counts, applications=50) == 3


def test_the_tree_walk_adds_three_calls_and_two_per_ou_and_its_further_pages() -> None:
    counts = {"users": 0, "groups": 0, "permission_sets": 0, "accounts": 41, "pairs": 0}
    # ListRoots; per parent (root and 21 OUs) two listings; 21 child OUs and 41
    # accounts may take one further page per 20: 1 + 2*22 + 1 + 2.
    assert call_bound(**counts, organizational_units=21) - call_bound(**counts) == 48
    assert call_bound(**counts, organizational_units=0) - call_bound(**counts) == 5


def _organisation(*, members: int, accounts: int, group_grants: int, user_grants: int) -> Snapshot:
    """One group of every user, one permission set provisioned to every account.

    The group holds the permission set on the first `group_grants` accounts,
    user u0 on the last `user_grants`.
    """
    ps = "arn:aws:sso:::permissionSet/ssoins-1/ps-1"
    account_ids = [f"{n:012d}" for n in range(accounts)]
    grants = [Assignment(a, ps, "GROUP", "g") for a in account_ids[:group_grants]] + [
        Assignment(a, ps, "USER", "u0") for a in account_ids[-user_grants:]
    ]
    return Snapshot(
        instance_arn="arn:aws:sso:::instance/ssoins-1",
        identity_store_id="d-1",
        users=tuple(User(f"u{n}", f"user{n}") for n in range(members)),
        groups=(Group("g", "everyone"),),
        memberships=tuple(Membership(f"m{n}", "g", f"u{n}") for n in range(members)),
        permission_sets=(PermissionSet(ps, "admin"),),
        accounts=tuple(Account(a) for a in account_ids),
        provisioned_pairs=tuple(ProvisionedPair(a, ps) for a in account_ids),
        assignments=tuple(grants),
    )


def test_page_aware_bound_adds_a_call_per_further_page_of_100() -> None:
    snapshot = _organisation(members=250, accounts=101, group_grants=10, user_grants=10)
    walk = WalkChoice("permission_sets", "pairs")
    # The group's 250 members take 3 pages, the 101 accounts of the permission set 2.
    assert listing_sizes(snapshot, walk).further_pages() == 2 + 1
    assert page_aware_bound(snapshot, walk) == snapshot_call_bound(snapshot) + 3


def test_a_users_principal_listing_counts_the_assignments_of_its_groups() -> None:
    snapshot = _organisation(members=3, accounts=120, group_grants=60, user_grants=41)
    walk = WalkChoice("accounts", "principals")
    sizes = listing_sizes(snapshot, walk)
    # u0: its own 41 and the group's 60; u1, u2: the group's 60; the group: its 60.
    assert sorted(sizes.assignment_walk) == [60, 60, 60, 101]
    assert sizes.further_pages() == 1
