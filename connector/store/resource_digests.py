"""Digests of the resources the service serves, so their `meta` follows what clients see.

A served user shows the names of its groups and of its entitlements; it
changes when a membership is added or a group renamed, though the user's own
record did not change. Each served resource therefore gets a digest of
everything it shows, recorded in the change record like the raw objects
(object type "resource:User", ...): its change gives `meta.lastModified`, the
digest itself `meta.version`, and delta aggregation
(`meta.lastModified gt ...`) finds users whose groups or access changed.

What each type's digest covers is said once, in its module of
`connector.served`; write-through (`connector.store.resource_changes`) uses
the same functions, so a write records the digest this computes.
"""

from __future__ import annotations

from collections.abc import Mapping

from connector.records import Snapshot
from connector.served.registry import all_births, all_digests
from connector.served.served_type import RESOURCE_PREFIX

__all__ = ["RESOURCE_PREFIX", "all_births", "resource_digests"]


def resource_digests(
    snapshot: Snapshot, object_hashes: Mapping[tuple[str, str], str] | None = None
) -> dict[tuple[str, str], str]:
    """(f"resource:{type}", id) -> digest for every resource the snapshot serves.

    `object_hashes` are the records' content hashes by object key, where the
    caller computed them already (a sync has: it records the raw objects too).
    """
    return all_digests(snapshot, object_hashes)
