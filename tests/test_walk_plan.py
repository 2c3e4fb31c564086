"""The assignment walk is the cheapest one allowed, from the counts known before it."""

from __future__ import annotations

import pytest

from connector.errors import ConfigError
from connector.walk_plan import call_bound, choose_assignment_walk, choose_pair_discovery


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
    # 5 + 20 + 2 + 200 + 7*50 + 5 + min(50 + 800, 2200)
    assert call_bound(users=2000, groups=200, permission_sets=50, accounts=100, pairs=800) == 1432
