"""Every served type, and the three questions the store asks of all of them.

A new served type is one module in this package and one line in
`SERVED_TYPES` (and its SCIM description in `scim.resources`). The sync asks
`all_digests` of a whole snapshot; write-through asks `dependents` of the
rows it changes, before and after, and `digests` of those resources, from
the rows they read: the same digest functions either way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from connector.records import Snapshot
from connector.served.accounts import ACCOUNTS
from connector.served.entitlements import ENTITLEMENTS
from connector.served.groups import GROUPS
from connector.served.permission_sets import PERMISSION_SETS
from connector.served.relations import Relations
from connector.served.rows import Row, Rows
from connector.served.served_type import Resource, ServedType, merge, version_key
from connector.served.users import USERS

SERVED_TYPES: tuple[ServedType, ...] = (USERS, GROUPS, ENTITLEMENTS, PERMISSION_SETS, ACCOUNTS)

BY_NAME: Mapping[str, ServedType] = {served.name: served for served in SERVED_TYPES}


def all_digests(
    snapshot: Snapshot, object_hashes: Mapping[tuple[str, str], str] | None = None
) -> dict[tuple[str, str], str]:
    """Change-record key -> digest of every resource the snapshot serves."""
    relations = Relations(snapshot, object_hashes)
    found: dict[tuple[str, str], str] = {}
    for served in SERVED_TYPES:
        for resource_id in served.ids(relations):
            digest = served.digest(relations, resource_id)
            if digest is not None:
                found[version_key(served.name, resource_id)] = digest
    return found


def dependents(rows: Rows, changed: Iterable[Row]) -> set[Resource]:
    """The served resources whose digests read any of the `changed` rows, as `rows` are now."""
    return {
        (served.name, resource_id)
        for row in changed
        for served in SERVED_TYPES
        for resource_id in served.dependents(rows, row)
    }


def all_births(snapshot: Snapshot) -> dict[tuple[str, str], datetime]:
    """Change-record key -> when AWS says the resource was created, where it says so."""
    relations = Relations(snapshot)
    return {
        version_key(name, resource_id): at
        for (name, resource_id), at in births(
            relations,
            [(served.name, i) for served in SERVED_TYPES for i in served.ids(relations)],
        ).items()
    }


def digests(rows: Rows, resources: Collection[Resource]) -> dict[Resource, str | None]:
    """The digest of each resource (None where it is not served), read from `rows`."""
    by_type = _by_type(resources)
    relations = Relations(
        merge(BY_NAME[name].load(rows, sorted(ids)) for name, ids in by_type.items())
    )
    return {(name, i): BY_NAME[name].digest(relations, i) for name, i in resources}


def births(rows: Rows, resources: Collection[Resource]) -> dict[Resource, datetime]:
    """When AWS says each resource was created, where it says so (users, groups):
    the change record's `created` for a resource it records for the first time."""
    return {
        (name, resource_id): at
        for name, ids in _by_type(resources).items()
        for resource_id, at in BY_NAME[name].born(rows, sorted(ids)).items()
    }


def _by_type(resources: Iterable[Resource]) -> defaultdict[str, set[str]]:
    by_type: defaultdict[str, set[str]] = defaultdict(set)
    for resource_type, resource_id in resources:
        by_type[resource_type].add(resource_id)
    return by_type
