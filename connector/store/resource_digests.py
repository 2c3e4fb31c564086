"""Digests of the resources the service serves, so their `meta` follows what clients see.

A served user shows the names of its groups and of its entitlements; it
changes when a membership is added or a group renamed, though the user's own
record did not change. Each served resource therefore gets a digest of
everything it shows, recorded in the change record like the raw objects
(object type "resource:User", ...): its change gives `meta.lastModified`, the
digest itself `meta.version`, and delta aggregation
(`meta.lastModified gt ...`) finds users whose groups or access changed.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from connector.records import Snapshot
from connector.store.codec import entitlement_id, permission_set_id

RESOURCE_PREFIX = "resource:"


def _digest(parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def resource_digests(
    snapshot: Snapshot, object_hashes: Mapping[tuple[str, str], str]
) -> dict[tuple[str, str], str]:
    """(f"resource:{type}", id) -> digest for every User, Group, Entitlement,
    PermissionSet and AwsAccount the snapshot serves."""
    users = {u.id: u for u in snapshot.users}
    groups = {g.id: g for g in snapshot.groups}
    permission_sets = {p.arn: p for p in snapshot.permission_sets}
    accounts = {a.id: a for a in snapshot.accounts}
    provisioned = {(p.account_id, p.permission_set_arn) for p in snapshot.provisioned_pairs}

    groups_of_user: defaultdict[str, list[str]] = defaultdict(list)
    members_of_group: defaultdict[str, list[str]] = defaultdict(list)
    for membership in snapshot.memberships:
        groups_of_user[membership.user_id].append(membership.group_id)
        members_of_group[membership.group_id].append(membership.user_id)
    held_by: defaultdict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    holdings: defaultdict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for a in snapshot.assignments:
        held_by[(a.principal_type, a.principal_id)].append((a.account_id, a.permission_set_arn))
        holdings[(a.account_id, a.permission_set_arn)].append((a.principal_type, a.principal_id))

    def entitlement(account_id: str, arn: str) -> list[Any]:
        ps, account = permission_sets.get(arn), accounts.get(account_id)
        return [account_id, account.name if account else None, arn, ps.name if ps else None]

    def principal_name(principal_type: str, principal_id: str) -> str | None:
        if principal_type == "USER":
            user = users.get(principal_id)
            return user.display_name or user.user_name if user else None
        group = groups.get(principal_id)
        return group.display_name if group else None

    digests: dict[tuple[str, str], str] = {}
    for user_id in users:
        member_of = sorted(groups_of_user[user_id])
        digests[(f"{RESOURCE_PREFIX}User", user_id)] = _digest(
            [
                object_hashes[("user", user_id)],
                [(g, groups[g].display_name if g in groups else None) for g in member_of],
                sorted(entitlement(*pair) for pair in held_by[("USER", user_id)]),
                sorted((*pair, g) for g in member_of for pair in held_by[("GROUP", g)]),
            ]
        )
    for group_id in groups:
        digests[(f"{RESOURCE_PREFIX}Group", group_id)] = _digest(
            [
                object_hashes[("group", group_id)],
                sorted((u, principal_name("USER", u)) for u in members_of_group[group_id]),
                sorted(entitlement(*pair) for pair in held_by[("GROUP", group_id)]),
            ]
        )
    for arn in permission_sets:
        digests[(f"{RESOURCE_PREFIX}PermissionSet", permission_set_id(arn))] = _digest(
            object_hashes[("permission_set", arn)]
        )
    for account_id in accounts:
        digests[(f"{RESOURCE_PREFIX}AwsAccount", account_id)] = _digest(
            object_hashes[("account", account_id)]
        )
        for arn in permission_sets:
            digests[(f"{RESOURCE_PREFIX}Entitlement", entitlement_id(account_id, arn))] = _digest(
                [
                    object_hashes[("permission_set", arn)],
                    object_hashes[("account", account_id)],
                    (account_id, arn) in provisioned,
                    sorted(
                        (kind, pid, principal_name(kind, pid))
                        for kind, pid in holdings[(account_id, arn)]
                    ),
                ]
            )
    return digests
