"""The cheapest way to enumerate account assignments, chosen from known counts.

With P permission sets, A accounts, U users, G groups and N provisioned
(account, permission set) pairs, AWS offers three walks (docs/sync-cost.md):

- permission sets first: P calls of ListAccountsForProvisionedPermissionSet find
  the N pairs, then N calls of ListAccountAssignments: P + N.
- accounts first: ListAccounts (ceil(A/20) calls, already paid for when
  Organizations gives account names), then A calls of
  ListPermissionSetsProvisionedToAccount find the pairs, then N: A + N.
- principals: U + G calls of ListAccountAssignmentsForPrincipal, allowed only
  from the management account for an organization instance.

The pairs are needed anyway (they are the grantable entitlements, including
those no one holds yet), so pair discovery always runs, the cheaper of P and A;
then the assignments are read either per pair (N) or per principal (U + G).
Each figure grows by one call per further page of 100 results, which is rare
and the same for every walk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from connector.errors import ConfigError

PairDiscovery = Literal["permission_sets", "accounts"]
AssignmentWalk = Literal["pairs", "principals"]


@dataclass(frozen=True)
class WalkChoice:
    pair_discovery: PairDiscovery
    assignment_walk: AssignmentWalk


def choose_pair_discovery(
    permission_sets: int, accounts: int | None, forced: str = "auto"
) -> PairDiscovery:
    """Per account only when the account list is known and shorter."""
    if forced == "accounts":
        if accounts is None:
            raise ConfigError(
                "IDCC_ASSIGNMENT_WALK=accounts needs the account list from AWS Organizations, "
                "which could not be read"
            )
        return "accounts"
    if forced == "permission_sets" or accounts is None:
        return "permission_sets"
    return "accounts" if accounts < permission_sets else "permission_sets"


def choose_assignment_walk(
    pairs: int, users: int, groups: int, *, principal_walk_allowed: bool, forced: str = "auto"
) -> AssignmentWalk:
    """Per principal only when allowed and fewer calls than one per pair."""
    if forced == "principals":
        if not principal_walk_allowed:
            raise ConfigError(
                "IDCC_ASSIGNMENT_WALK=principals needs the management account of the "
                "organization (ListAccountAssignmentsForPrincipal is not available elsewhere)"
            )
        return "principals"
    if forced in ("permission_sets", "accounts") or not principal_walk_allowed:
        return "pairs"
    return "principals" if users + groups < pairs else "pairs"


def call_bound(*, users: int, groups: int, permission_sets: int, accounts: int, pairs: int) -> int:
    """The most AWS calls a full sync may make (the contract in docs/sync-cost.md).

    5 fixed calls, the user and group pages, one membership list per group,
    seven calls per permission set (six for its details, one to find where it
    is provisioned), the account pages, and the cheaper assignment walk.
    """
    return (
        5
        + _pages(users, 100)
        + _pages(groups, 100)
        + groups
        + 7 * permission_sets
        + _pages(accounts, 20)
        + min(permission_sets + pairs, users + groups)
    )


def _pages(count: int, page_size: int) -> int:
    return -(-count // page_size)
