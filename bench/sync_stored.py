"""What a sync run stored, against what its simulator was seeded with.

A fast sync that stores the wrong thing would pass every time target, so each
run's store is compared with the simulator's seed manifest by AWS id.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.sync_processes import MANIFEST_FILE, store_url
from connector.records import Snapshot
from connector.store.store import Store

if TYPE_CHECKING:
    from connector.simulator.manifest import Manifest


def load_manifest(directory: Path) -> Manifest:
    """The seed manifest the run's simulator wrote (seconds for M: worth loading early)."""
    # Imported here: it loads moto (connector.simulator), which only this check needs.
    from connector.simulator.manifest import Manifest

    return Manifest.load(directory / MANIFEST_FILE)


def read_stored(directory: Path) -> Snapshot | None:
    """The snapshot the run's sync published, None if it published none."""
    store = Store.open(store_url(directory), migrate=False)
    try:
        return store.read_snapshot()
    finally:
        store.close()


def stored_versus_manifest(snapshot: Snapshot | None, manifest: Manifest) -> dict[str, Any]:
    """What the store holds against what was seeded, by AWS id: counts and whether they match."""
    if snapshot is None:
        return {"match": False, "mismatches": ["no snapshot stored"], "stored": {}, "expected": {}}
    stored: dict[str, set[Any]] = {
        "users": {u.id for u in snapshot.users},
        "groups": {g.id for g in snapshot.groups},
        "memberships": {(m.group_id, m.user_id) for m in snapshot.memberships},
        "assignments": {
            (a.account_id, a.permission_set_arn, a.principal_type, a.principal_id)
            for a in snapshot.assignments
        },
        "provisioned_pairs": {
            (p.account_id, p.permission_set_arn) for p in snapshot.provisioned_pairs
        },
    }
    expected: dict[str, set[Any]] = {
        "users": set(manifest.users.values()),
        "groups": set(manifest.groups.values()),
        "memberships": manifest.expected_memberships(),
        "assignments": manifest.expected_assignments(),
        "provisioned_pairs": manifest.expected_provisioned_pairs(),
    }
    mismatches = [name for name in expected if stored[name] != expected[name]]
    return {
        "match": not mismatches,
        "mismatches": mismatches,
        "stored": {name: len(ids) for name, ids in stored.items()},
        "expected": {name: len(ids) for name, ids in expected.items()},
    }
