"""Seed generator: a realistic simulated organisation, as an `OrganisationPlan`.

The connector's bugs hide in the data real organisations hold: names in other scripts,
colliding userNames, users with no email, empty groups, a permission set assigned everywhere,
suspended accounts, pairs still provisioned after their last assignment went. The plan holds
such data at sizes from a demo (``tiny``) to a large enterprise (``XL``), and is the same for
the same spec, so that a failing test or benchmark can be replayed.

This module sizes the organisation and wires it together; users come from `seed_people`, the
names and policies of groups, permission sets and accounts from `seed_catalogue`.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from connector.simulator.plan import (
    OrganisationPlan,
    PlannedAccount,
    PlannedApplication,
    PlannedApplicationAssignment,
    PlannedAssignment,
    PlannedCustomerManagedPolicy,
    PlannedGroup,
    PlannedMembership,
    PlannedPair,
    PlannedPermissionsBoundary,
    PlannedPermissionSet,
    PlannedUser,
)
from connector.simulator.seed_activity import plan_sign_ins
from connector.simulator.seed_catalogue import (
    APPLICATIONS,
    AWS_MANAGED_POLICY_ARNS,
    CORE_ACCOUNTS,
    EMPTY_OUS,
    ENVIRONMENTS,
    GROUP_DESCRIPTIONS,
    GROUP_REGIONS,
    PERMISSION_SETS,
    RELAY_STATES,
    ROLES,
    SESSIONS,
    TEAMS,
    UNICODE_GROUPS,
    OuPath,
)
from connector.simulator.seed_people import (
    ascii_fold,
    external_ids,
    maybe,
    plan_users,
    random_uuid,
)

__all__ = ["AWS_MANAGED_POLICY_ARNS", "PRESETS", "SeedSpec", "plan_organisation"]


@dataclass(frozen=True)
class SeedSpec:
    """How big an organisation to plan, and how it is shaped; checked when made.

    `assigned_pairs` counts the (permission set, account) pairs that carry assignments; left
    None, a pair carries about two. `max_group_size` keeps each group's member list within one
    API page. Users have at most one email, phone number and address: see `seed_people`.
    `applications` and `application_assignments` plan Identity Center applications and who is
    assigned to them (mostly groups, like account assignments). `active_accesses` caps how many
    (user, account, permission set) accesses get sign-ins (`seed_activity`).
    """

    users: int
    groups: int
    memberships: int
    permission_sets: int
    accounts: int
    assignments: int
    seed: int = 7
    dense: bool = False
    stale_pairs: int = 0
    assigned_pairs: int | None = None
    max_group_size: int | None = None
    group_assignment_ratio: float = 0.85
    unicode_user_name_ratio: float = 0.1
    applications: int = 0
    application_assignments: int = 0
    active_accesses: int = 400

    def __post_init__(self) -> None:
        _validate(self)


def _validate(spec: SeedSpec) -> None:
    for name in ("users", "groups", "memberships", "permission_sets", "accounts", "assignments"):
        if getattr(spec, name) < 0:
            raise ValueError(f"SeedSpec.{name} must not be negative, got {getattr(spec, name)}")
    if spec.application_assignments > spec.applications * (spec.users + spec.groups):
        raise ValueError(
            f"{spec.application_assignments} application assignments are more than"
            f" {spec.applications} applications x {spec.users + spec.groups} principals"
        )
    if spec.active_accesses < 0:
        raise ValueError(
            f"SeedSpec.active_accesses must not be negative, got {spec.active_accesses}"
        )
    for name in ("group_assignment_ratio", "unicode_user_name_ratio"):
        if not 0 <= getattr(spec, name) <= 1:
            raise ValueError(f"SeedSpec.{name} must be between 0 and 1")
    if spec.memberships > spec.groups * _group_capacity(spec):
        raise ValueError(
            f"{spec.memberships} memberships do not fit in {spec.groups} groups"
            f" of at most {_group_capacity(spec)} distinct members"
        )
    all_pairs = spec.permission_sets * spec.accounts
    principals = spec.users + spec.groups
    if spec.assignments > all_pairs * principals:
        raise ValueError(
            f"{spec.assignments} distinct assignments are more than {spec.permission_sets}"
            f" permission sets x {spec.accounts} accounts x {principals} principals"
        )
    if spec.dense and spec.stale_pairs:
        raise ValueError("a dense spec provisions every pair already: stale_pairs must be 0")
    if not 0 <= spec.stale_pairs <= all_pairs:
        raise ValueError(f"stale_pairs must be between 0 and {all_pairs}")
    assigned = _assigned_pair_count(spec)
    if assigned + spec.stale_pairs > all_pairs:
        raise ValueError(
            f"{assigned} assigned and {spec.stale_pairs} stale pairs are more than the"
            f" {all_pairs} (permission set, account) pairs"
        )
    fewest = math.ceil(spec.assignments / max(1, principals))
    if not fewest <= assigned <= spec.assignments or (assigned == 0) != (spec.assignments == 0):
        raise ValueError(f"{spec.assignments} assignments cannot spread over {assigned} pairs")


def _group_capacity(spec: SeedSpec) -> int:
    if spec.max_group_size is None:
        return spec.users
    return max(0, min(spec.users, spec.max_group_size))


def _assigned_pair_count(spec: SeedSpec) -> int:
    if spec.assigned_pairs is not None:
        return spec.assigned_pairs
    fewest = math.ceil(spec.assignments / max(1, spec.users + spec.groups))
    free = spec.permission_sets * spec.accounts - spec.stale_pairs
    return max(fewest, min(math.ceil(spec.assignments / 2), free))


# tiny: quick tests and the demo; S and M: every group's members fit one API page (100);
# L and XL: benchmarks, with groups of a few thousand members.
_M = SeedSpec(
    2_000,
    200,
    6_000,
    50,
    100,
    2_400,
    max_group_size=100,
    applications=20,
    application_assignments=300,
)
PRESETS: dict[str, SeedSpec] = {
    "tiny": SeedSpec(12, 4, 20, 4, 4, 10, applications=3, application_assignments=6),
    "S": SeedSpec(
        500, 50, 1_500, 20, 20, 600, max_group_size=100, applications=5, application_assignments=40
    ),
    "M": _M,
    "M-dense": replace(_M, dense=True),
    "M-stale": replace(_M, stale_pairs=500),
    # 4,000 pairs with assignments and 1,000 stale ones: 5,000 provisioned pairs.
    # Applications grow with the organisation (S 5, M 20), about one per 200 users
    # up to L, and their assignments with the number of principals.
    "L": SeedSpec(
        10_000,
        1_000,
        30_000,
        100,
        500,
        5_000,
        assigned_pairs=4_000,
        stale_pairs=1_000,
        applications=50,
        application_assignments=1_000,
    ),
    "XL": SeedSpec(
        100_000, 2_000, 200_000, 100, 500, 20_000, applications=100, application_assignments=4_000
    ),
}


def plan_organisation(spec: SeedSpec) -> OrganisationPlan:
    """Plan an organisation with exactly the counts in `spec`, the same for the same spec."""
    users = plan_users(
        [_key("u", i, spec.users) for i in range(spec.users)],
        _rng(spec, "users"),
        seed=spec.seed,
        unicode_user_name_ratio=spec.unicode_user_name_ratio,
    )
    groups = _plan_groups(spec)
    permission_sets = _plan_permission_sets(spec)
    accounts = _plan_accounts(spec)
    pairs, assignments = _plan_access(spec, users, groups, permission_sets, accounts)
    applications = _plan_applications(spec)
    memberships = _plan_memberships(spec, users, groups)
    return OrganisationPlan(
        users=users,
        groups=groups,
        memberships=memberships,
        permission_sets=permission_sets,
        accounts=accounts,
        provisioned_pairs=pairs,
        assignments=assignments,
        applications=applications,
        application_assignments=_plan_application_assignments(spec, users, groups, applications),
        sign_ins=plan_sign_ins(
            assignments, memberships, spec.active_accesses, _rng(spec, "sign-ins")
        ),
        empty_ous=EMPTY_OUS,
    )


# --- shared helpers ---------------------------------------------------------------------------


def _rng(spec: SeedSpec, part: str) -> random.Random:
    """One stream per part, so that asking for more groups leaves the users as they were."""
    return random.Random(f"{spec.seed}:{part}")


def _key(prefix: str, index: int, count: int) -> str:
    return f"{prefix}{index:0{max(5, len(str(count - 1)))}d}"


def _spread(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """Split `total` into counts proportional to `weights`, none above its cap.

    Why: real sizes are skewed (a few big groups, one permission set on every account), yet
    the plan must hold exactly the requested number of objects. Shares are rounded down and
    the largest fractions get one more; a round ends early only when slots reach their caps.
    """
    sizes = [0] * len(weights)
    remaining = total
    open_slots = [i for i, weight in enumerate(weights) if weight > 0 and caps[i] > 0]
    while remaining > 0 and open_slots:
        weight_sum = sum(weights[i] for i in open_slots)
        shares = [(remaining * weights[i] / weight_sum, i) for i in open_slots]
        handed = 0
        for share, i in shares:
            give = min(caps[i] - sizes[i], int(share))
            sizes[i] += give
            handed += give
        for _, i in sorted(shares, key=lambda s: int(s[0]) - s[0]):  # largest fraction first
            if handed == remaining:
                break
            if sizes[i] < caps[i]:
                sizes[i] += 1
                handed += 1
        remaining -= handed
        open_slots = [i for i in open_slots if sizes[i] < caps[i]]
    if remaining:
        raise ValueError(f"{remaining} of {total} do not fit within the caps")
    return sizes


# --- groups and memberships -------------------------------------------------------------------


def _group_names(count: int, rng: random.Random) -> list[str]:
    """Team names, then the same per region, then numbered; a few in other scripts."""
    names: list[str] = []
    for region in GROUP_REGIONS:
        batch = [f"{team} {role}{region}" for team in TEAMS for role in ROLES]
        rng.shuffle(batch)
        names += batch[: count - len(names)]
    names += [f"Team {n:05d}" for n in range(count - len(names))]
    in_other_scripts = min(len(UNICODE_GROUPS), max(1, count // 30)) if count >= 4 else 0
    positions = rng.sample(range(count), in_other_scripts)
    for index, name in zip(positions, UNICODE_GROUPS[:in_other_scripts], strict=True):
        names[index] = name
    return names


def _plan_groups(spec: SeedSpec) -> tuple[PlannedGroup, ...]:
    rng = _rng(spec, "groups")
    tenant = random_uuid(rng)
    groups = []
    for i, name in enumerate(_group_names(spec.groups, rng)):
        template = maybe(rng, 0.8, GROUP_DESCRIPTIONS)
        description = template.format(name) if template else None
        ids = external_ids(tenant, 0.25, rng)
        groups.append(PlannedGroup(_key("g", i, spec.groups), name, description, ids))
    return tuple(groups)


def _plan_memberships(
    spec: SeedSpec, users: Sequence[PlannedUser], groups: Sequence[PlannedGroup]
) -> tuple[PlannedMembership, ...]:
    """Skewed group sizes (log-normal): a few big groups, many small ones, some empty."""
    rng = _rng(spec, "memberships")
    cap = _group_capacity(spec)
    needed = math.ceil(spec.memberships / cap) if cap else 0
    wanted_empty = max(1, len(groups) // 20) if len(groups) >= 3 else 0
    empty_count = min(wanted_empty, len(groups) - needed)
    empty = set(rng.sample(range(len(groups)), empty_count))
    weights = [0.0 if i in empty else rng.lognormvariate(0, 1.2) for i in range(len(groups))]
    sizes = _spread(spec.memberships, weights, [cap] * len(groups))
    return tuple(
        PlannedMembership(group.key, users[u].key)
        for group, size in zip(groups, sizes, strict=True)
        for u in sorted(rng.sample(range(len(users)), size))
    )


# --- permission sets --------------------------------------------------------------------------

_PermissionSetDraft = tuple[str, tuple[str, ...], str, str]  # name, policies, text, team


def _permission_set_drafts(rng: random.Random) -> Iterator[_PermissionSetDraft]:
    """Catalogue names, then per-team variants that fit AWS's 32 characters, then numbered."""
    yield from ((name, policies, text, "platform") for name, policies, text in PERMISSION_SETS)
    variants = [
        (f"{name}-{team.replace(' ', '')}", policies, f"{text} ({team})", ascii_fold(team))
        for team in TEAMS
        for name, policies, text in PERMISSION_SETS
    ]
    rng.shuffle(variants)
    yield from (variant for variant in variants if len(variant[0]) <= 32)
    for number in itertools.count(2):
        for name, policies, text in PERMISSION_SETS:
            yield f"{name}-{number:03d}", policies, text, "platform"


def _plan_permission_sets(spec: SeedSpec) -> tuple[PlannedPermissionSet, ...]:
    rng = _rng(spec, "permission_sets")
    drafts = itertools.islice(_permission_set_drafts(rng), spec.permission_sets)
    return tuple(
        _permission_set(_key("ps", i, spec.permission_sets), draft, rng)
        for i, draft in enumerate(drafts)
    )


def _permission_set(
    key: str, draft: _PermissionSetDraft, rng: random.Random
) -> PlannedPermissionSet:
    """Attributes as an admin sets them: one-hour sessions for admins, boundaries on a few."""
    name, policies, text, team = draft
    admin = "AdministratorAccess" in policies or "IAMFullAccess" in policies
    path = rng.choice(("/", "/teams/"))
    team_policy = PlannedCustomerManagedPolicy(f"{team}-workload-access", path)
    tags = (("team", team), ("cost-center", f"cc-{rng.randint(1000, 9999)}"))
    return PlannedPermissionSet(
        key=key,
        name=name,
        description=text if rng.random() < 0.9 else None,
        session_duration="PT1H" if admin else rng.choice(SESSIONS),
        relay_state=maybe(rng, 0.2, RELAY_STATES),
        managed_policy_arns=tuple(AWS_MANAGED_POLICY_ARNS[policy] for policy in policies),
        customer_managed_policies=(team_policy,) if rng.random() < 0.2 else (),
        inline_policy=_inline_policy(rng) if not policies or rng.random() < 0.25 else None,
        permissions_boundary=_boundary(rng) if rng.random() < 0.1 else None,
        tags=tags if rng.random() < 0.4 else (),
    )


def _boundary(rng: random.Random) -> PlannedPermissionsBoundary:
    if rng.random() < 0.5:
        return PlannedPermissionsBoundary(AWS_MANAGED_POLICY_ARNS["PowerUserAccess"])
    policy = PlannedCustomerManagedPolicy("org-permissions-boundary", "/boundaries/")
    return PlannedPermissionsBoundary(customer_managed_policy=policy)


def _inline_policy(rng: random.Random) -> str:
    """A valid IAM policy document: Cost Explorer reads, sometimes with a guard-rail deny."""
    statements = [{"Effect": "Allow", "Action": ["ce:Get*", "ce:Describe*"], "Resource": "*"}]
    if rng.random() < 0.5:
        actions = ["organizations:LeaveOrganization", "account:CloseAccount"]
        statements.append({"Sid": "Guard", "Effect": "Deny", "Action": actions, "Resource": "*"})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


# --- accounts ---------------------------------------------------------------------------------


def _account_names(count: int, rng: random.Random) -> list[tuple[str, OuPath]]:
    """Core accounts (one per ten), then `<env>-<workload>[-<region>]`, then numbered."""
    names = list(CORE_ACCOUNTS[: count // 10])
    for region in ("", "-eu", "-us", "-apac"):
        batch = [
            (f"{env}-{ascii_fold(team)}{region}", ou) for team in TEAMS for env, ou in ENVIRONMENTS
        ]
        rng.shuffle(batch)
        names += batch[: count - len(names)]
    return names + [(f"workload-{n:04d}", ("Workloads", "Prod")) for n in range(count - len(names))]


def _plan_accounts(spec: SeedSpec) -> tuple[PlannedAccount, ...]:
    """About 3% suspended: moved to the Suspended OU, but one left where it was."""
    rng = _rng(spec, "accounts")
    names = _account_names(spec.accounts, rng)
    first_workload = min(len(CORE_ACCOUNTS), spec.accounts // 10)
    suspended: list[int] = []
    if spec.accounts >= 4:
        count = max(1, round(spec.accounts * 0.03))
        suspended = rng.sample(range(first_workload, spec.accounts), count)
    for position, index in enumerate(suspended):
        if position != 1:
            names[index] = (names[index][0], ("Suspended",))
    suspended_indices = set(suspended)
    return tuple(
        PlannedAccount(
            key=_key("a", i, spec.accounts),
            name=name,
            email=f"aws+{name}@example.com",
            ou_path=ou,
            status="SUSPENDED" if i in suspended_indices else "ACTIVE",
        )
        for i, (name, ou) in enumerate(names)
    )


# --- provisioned pairs and assignments --------------------------------------------------------


def _plan_access(
    spec: SeedSpec,
    users: Sequence[PlannedUser],
    groups: Sequence[PlannedGroup],
    permission_sets: Sequence[PlannedPermissionSet],
    accounts: Sequence[PlannedAccount],
) -> tuple[tuple[PlannedPair, ...], tuple[PlannedAssignment, ...]]:
    """Popular permission sets reach most accounts; a pair is numbered `ps * accounts + a`."""
    rng = _rng(spec, "access")
    n_accounts = len(accounts)
    popularity = [1 / (1 + i) ** 1.1 for i in range(len(permission_sets))]
    caps = [n_accounts] * len(permission_sets)
    per_ps = _spread(_assigned_pair_count(spec), popularity, caps)
    assigned = [
        ps * n_accounts + a
        for ps, count in enumerate(per_ps)
        for a in sorted(rng.sample(range(n_accounts), count))
    ]
    weights = [rng.lognormvariate(0, 1) for _ in assigned]
    principal_caps = [len(users) + len(groups) - 1] * len(assigned)
    extra = _spread(spec.assignments - len(assigned), weights, principal_caps)
    assignments: list[PlannedAssignment] = []
    for pair, more in zip(assigned, extra, strict=True):
        ps_key = permission_sets[pair // n_accounts].key
        account_key = accounts[pair % n_accounts].key
        assignments += [
            PlannedAssignment(ps_key, account_key, kind, key)
            for kind, key in _principals(spec, users, groups, more + 1, rng)
        ]
    everything = len(permission_sets) * n_accounts
    if spec.dense:
        provisioned = list(range(everything))
    else:
        stale = _sample_excluding(everything, set(assigned), spec.stale_pairs, rng)
        provisioned = sorted(assigned + stale)
    pairs = tuple(
        PlannedPair(permission_sets[i // n_accounts].key, accounts[i % n_accounts].key)
        for i in provisioned
    )
    return pairs, tuple(assignments)


def _principals(
    spec: SeedSpec,
    users: Sequence[PlannedUser],
    groups: Sequence[PlannedGroup],
    count: int,
    rng: random.Random,
) -> list[tuple[str, str]]:
    """`count` distinct principals, mostly groups, as access is granted in a tidy organisation."""
    wanted = sum(rng.random() < spec.group_assignment_ratio for _ in range(count))
    n_groups = max(min(wanted, len(groups)), count - len(users))
    chosen = [("GROUP", groups[g].key) for g in rng.sample(range(len(groups)), n_groups)]
    user_indices = rng.sample(range(len(users)), count - n_groups)
    return chosen + [("USER", users[u].key) for u in user_indices]


# --- applications -----------------------------------------------------------------------------


def _plan_applications(spec: SeedSpec) -> tuple[PlannedApplication, ...]:
    """Catalogue applications, then numbered; one in four lets every user in unassigned."""
    rng = _rng(spec, "applications")
    planned = []
    for i in range(spec.applications):
        name, description, provider = APPLICATIONS[i % len(APPLICATIONS)]
        if i >= len(APPLICATIONS):
            name = f"{name} {i // len(APPLICATIONS) + 1}"
        key = _key("app", i, spec.applications)
        planned.append(PlannedApplication(key, name, provider, description, rng.random() >= 0.25))
    return tuple(planned)


def _plan_application_assignments(
    spec: SeedSpec,
    users: Sequence[PlannedUser],
    groups: Sequence[PlannedGroup],
    applications: Sequence[PlannedApplication],
) -> tuple[PlannedApplicationAssignment, ...]:
    """Spread over the applications, each to distinct principals, mostly groups."""
    rng = _rng(spec, "application_assignments")
    caps = [len(users) + len(groups)] * len(applications)
    weights = [rng.lognormvariate(0, 1) for _ in applications]
    sizes = _spread(spec.application_assignments, weights, caps)
    return tuple(
        PlannedApplicationAssignment(application.key, kind, key)
        for application, size in zip(applications, sizes, strict=True)
        for kind, key in _principals(spec, users, groups, size, rng)
    )


def _sample_excluding(space: int, excluded: set[int], count: int, rng: random.Random) -> list[int]:
    """`count` distinct numbers below `space` outside `excluded`, without listing all when few."""
    if count * 3 <= space - len(excluded):
        picked: dict[int, None] = {}  # keeps the order drawn: the result is reproducible
        while len(picked) < count:
            number = rng.randrange(space)
            if number not in excluded:
                picked[number] = None
        return list(picked)
    return rng.sample([n for n in range(space) if n not in excluded], count)
