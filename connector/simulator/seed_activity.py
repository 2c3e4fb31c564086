"""Seeded activity: who signed in to which account and permission set, and when.

Certifiers ask whether each access is used (docs/access-review.md); the answer
comes from the sign-in events CloudTrail keeps for 90 days. A seeded
organisation therefore carries sign-ins spread over four kinds of access, in
turn over a shuffled list so that every kind is present once there are four
accesses: used recently (within 3 days), used long ago (10 to 80 days, inside
CloudTrail's 90-day history), used only beyond the history (95 to 200 days:
never, as far as anyone can know), and never used. A used access has one to
three sign-ins; its latest decides its kind. Only `SeedSpec.active_accesses`
accesses get any, so that an XL organisation's back-fill stays a benchmark's
size; the rest are never used. Same spec, same sign-ins.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from connector.simulator.plan import PlannedAssignment, PlannedMembership, PlannedSignIn

DAY = 24 * 3600
# (fewest, most) days before loading of an access's latest sign-in, by kind; None: never.
KINDS: tuple[tuple[int, int] | None, ...] = ((0, 3), (10, 80), (95, 200), None)
MOST_SIGN_INS = 3

Access = tuple[str, str, str]  # (user key, account key, permission set key)


def effective_accesses(
    assignments: Sequence[PlannedAssignment], memberships: Sequence[PlannedMembership]
) -> list[Access]:
    """Every (user, account, permission set) a user holds, directly or through a group."""
    members: dict[str, list[str]] = {}
    for membership in memberships:
        members.setdefault(membership.group_key, []).append(membership.user_key)
    found: set[Access] = set()
    for a in assignments:
        users = (
            [a.principal_key] if a.principal_type == "USER" else members.get(a.principal_key, [])
        )
        found.update((user, a.account_key, a.permission_set_key) for user in users)
    return sorted(found)


def plan_sign_ins(
    assignments: Sequence[PlannedAssignment],
    memberships: Sequence[PlannedMembership],
    active_accesses: int,
    rng: random.Random,
) -> tuple[PlannedSignIn, ...]:
    """The sign-ins of at most `active_accesses` accesses, each of one kind of `KINDS`."""
    accesses = effective_accesses(assignments, memberships)
    chosen = rng.sample(accesses, min(active_accesses, len(accesses)))
    sign_ins: list[PlannedSignIn] = []
    for position, (user, account, permission_set) in enumerate(chosen):
        kind = KINDS[position % len(KINDS)]
        if kind is None:
            continue
        latest = rng.randint(kind[0] * DAY, kind[1] * DAY)
        earlier = [
            latest + rng.randint(60, 30 * DAY) for _ in range(rng.randint(0, MOST_SIGN_INS - 1))
        ]
        sign_ins += [
            PlannedSignIn(user, account, permission_set, seconds_ago)
            for seconds_ago in (latest, *earlier)
        ]
    return tuple(sign_ins)
