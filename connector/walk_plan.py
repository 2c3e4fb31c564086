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
The discovery runs a second time filtered to the pairs whose copy is out of date
(ProvisioningStatus LATEST_PERMISSION_SET_NOT_PROVISIONED, for the drift report):
at most P further calls.
Applications cost the same whatever the walk: ceil(A/50) pages of
ListApplications (a page holds at most 50), then per application one
GetApplicationAssignmentConfiguration and one ListApplicationAssignments: 2A.
Where each account sits (its OU) costs a walk of the organization's tree, made
when Organizations is readable: with O organizational units, one ListRoots, then
for the root and each OU one ListOrganizationalUnitsForParent and one
ListAccountsForParent (20 a page): 3 + 2O, plus floor(O/20) + floor(A/20) at
most for the further pages (connector/readers/account_places.py).
Each figure grows by one call per further page of 100 results: `call_bound` is
issue 5's formula, which leaves those pages out; `page_aware_bound` counts them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from connector.errors import ConfigError
from connector.records import ProvisionedPair, Snapshot

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


def call_bound(
    *,
    users: int,
    groups: int,
    permission_sets: int,
    accounts: int,
    pairs: int,
    applications: int = 0,
    organizational_units: int | None = None,
) -> int:
    """The most AWS calls a full sync may make (the contract in docs/sync-cost.md).

    6 fixed calls, the user and group pages, one membership list per group,
    eight calls per permission set (six for its details, one to find where it
    is provisioned, one to find where that copy is out of date), the account
    pages, the cheaper assignment walk, and the applications: their pages (the
    first, made even when there are none, is among the fixed calls) and two
    calls each; then, when Organizations was read (`organizational_units` not
    None), the walk of its tree with every further page of 20 it may take.
    """
    return (
        6
        + max(0, _pages(applications, APPLICATIONS_PAGE_SIZE) - 1)
        + 2 * applications
        + _pages(users, 100)
        + _pages(groups, 100)
        + groups
        + 8 * permission_sets
        + _pages(accounts, 20)
        + min(permission_sets + pairs, users + groups)
        + _tree_walk(organizational_units, accounts)
    )


def _tree_walk(organizational_units: int | None, accounts: int) -> int:
    """ListRoots, then two listings per parent (the root and each OU), each parent's
    accounts and child OUs taking one page per 20 (docs/sync-cost.md)."""
    if organizational_units is None:
        return 0
    parents = organizational_units + 1
    return 1 + 2 * parents + organizational_units // 20 + accounts // 20


def _pages(count: int, page_size: int) -> int:
    return -(-count // page_size)


# Every per-item listing the sync makes returns at most 100 results a page
# (MaxResults 1-100 in the sso-admin and identitystore API references).
LISTING_PAGE_SIZE = 100
# ListApplications answers at most 50 a page (its ApplicationList holds 50).
APPLICATIONS_PAGE_SIZE = 50


@dataclass(frozen=True)
class ListingSizes:
    """How many results each listing of a sync returned.

    `call_bound` pays one call per listing; AWS needs one more per further 100
    results, and these sizes say how many such pages there were.
    """

    permission_sets: tuple[int, ...]  # the ListPermissionSets listing
    permission_set_policies: tuple[int, ...]  # managed and customer managed, per permission set
    group_members: tuple[int, ...]  # per group
    pair_discovery: tuple[int, ...]  # per permission set or per account, as the walk went
    outdated_discovery: tuple[int, ...]  # the same listings filtered to out-of-date copies
    assignment_walk: tuple[int, ...]  # per pair or per principal, as the walk went
    application_assignments: tuple[int, ...] = ()  # per application

    def further_pages(self) -> int:
        """Calls beyond the first page of every listing."""
        listings = (
            self.permission_sets,
            self.permission_set_policies,
            self.group_members,
            self.pair_discovery,
            self.outdated_discovery,
            self.assignment_walk,
            self.application_assignments,
        )
        return sum(
            max(0, _pages(size, LISTING_PAGE_SIZE) - 1) for sizes in listings for size in sizes
        )


def listing_sizes(snapshot: Snapshot, walk: WalkChoice) -> ListingSizes:
    """The sizes of the listings a sync that took `walk` made, from what it read.

    A user's ListAccountAssignmentsForPrincipal lists the assignments of its
    groups too (the API "retrieves ... the accounts that the principal has access
    to"; connector/simulator/ssoadmin/models.py), so its size counts them.
    """
    members = Counter(m.group_id for m in snapshot.memberships)
    held = Counter(a.application_arn for a in snapshot.application_assignments)

    def discovered(pairs: tuple[ProvisionedPair, ...]) -> tuple[int, ...]:
        if walk.pair_discovery == "permission_sets":
            return tuple(Counter(p.permission_set_arn for p in pairs).values())
        return tuple(Counter(p.account_id for p in pairs).values())

    if walk.assignment_walk == "pairs":
        walked = list(
            Counter((a.account_id, a.permission_set_arn) for a in snapshot.assignments).values()
        )
    else:
        walked = _principal_listings(snapshot)
    return ListingSizes(
        permission_sets=(len(snapshot.permission_sets),),
        permission_set_policies=tuple(
            size
            for ps in snapshot.permission_sets
            for size in (len(ps.managed_policies), len(ps.customer_managed_policies))
        ),
        group_members=tuple(members[g.id] for g in snapshot.groups),
        pair_discovery=discovered(snapshot.provisioned_pairs),
        outdated_discovery=discovered(snapshot.outdated_pairs),
        assignment_walk=tuple(walked),
        application_assignments=tuple(held[a.arn] for a in snapshot.applications),
    )


def _principal_listings(snapshot: Snapshot) -> list[int]:
    """Per user (its own assignments and its groups') and per group (its own)."""
    held = Counter((a.principal_type, a.principal_id) for a in snapshot.assignments)
    groups_of: dict[str, list[str]] = {}
    for m in snapshot.memberships:
        groups_of.setdefault(m.user_id, []).append(m.group_id)
    users = (
        held["USER", u.id] + sum(held["GROUP", g] for g in groups_of.get(u.id, ()))
        for u in snapshot.users
    )
    return [*users, *(held["GROUP", g.id] for g in snapshot.groups)]


def snapshot_call_bound(snapshot: Snapshot, organizational_units: int | None = None) -> int:
    """`call_bound` with the counts a sync read (the snapshot holds no OU that holds
    no account, so their number comes from the caller)."""
    return call_bound(
        users=len(snapshot.users),
        groups=len(snapshot.groups),
        permission_sets=len(snapshot.permission_sets),
        accounts=len(snapshot.accounts),
        pairs=len(snapshot.provisioned_pairs),
        applications=len(snapshot.applications),
        organizational_units=organizational_units,
    )


def page_aware_bound(
    snapshot: Snapshot, walk: WalkChoice, organizational_units: int | None = None
) -> int:
    """`call_bound` plus every further page AWS required (docs/sync-cost.md, "The bound").

    Issue 5's formula pays one call per group, per discovery and per walked pair
    or principal; a group of 250 members takes three. Like the formula, it
    assumes the principal walk was allowed where it is the cheaper: outside the
    management account, with more pairs than users and groups, the pair walk
    costs N - (U + G) more than either bound counts.
    """
    return (
        snapshot_call_bound(snapshot, organizational_units)
        + listing_sizes(snapshot, walk).further_pages()
    )
