"""What every served type tells the store, and how the change record names its resources.

Each served resource has a digest of everything it shows, kept in the change
record as object type "resource:<type>" (its change gives `meta.lastModified`,
the digest `meta.version`, RFC 7644 §3.14). A `ServedType` is the one place
that says, for one type, which resources a snapshot serves, what the digest
of one covers, which stored rows change it, and which rows its digest reads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connector.record_keys import object_key
from connector.records import Group, Snapshot, User
from connector.served.relations import Relations
from connector.served.rows import Row, Rows

RESOURCE_PREFIX = "resource:"

Resource = tuple[str, str]  # (served type name, resource id)


def version_key(resource_type: str, resource_id: str) -> tuple[str, str]:
    """(object type, object id) of a served resource in the change record."""
    return f"{RESOURCE_PREFIX}{resource_type}", resource_id


def fingerprint(parts: Any) -> str:
    """The digest of what a resource shows: stable JSON, hashed."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fragment(**records: Iterable[Any]) -> Snapshot:
    """Part of a snapshot: the records one served type's digests read."""
    return Snapshot("", "", **{name: tuple(found) for name, found in records.items()})


@dataclass(frozen=True)
class ServedType:
    """One served resource type as the store sees it.

    `digest(relations, id)` is None where the resource is not served.
    `dependents(rows, row)` must name every resource whose digest reads `row`,
    in the state `rows` shows: write-through asks it before and after a change,
    so together they find every resource whose digest can have moved.
    `load(rows, ids)` returns every row the digests of `ids` read: write-through
    computes those digests from it, with the same `digest` a sync uses.
    `born(rows, ids)` is when AWS says each was created, where it says so.
    """

    name: str
    ids: Callable[[Relations], Iterable[str]]
    digest: Callable[[Relations, str], str | None]
    dependents: Callable[[Rows, Row], Collection[str]]
    load: Callable[[Rows, Collection[str]], Snapshot]
    born: Callable[[Rows, Collection[str]], Mapping[str, datetime]] = lambda rows, ids: {}


def born_in_identity_store(
    records: Iterable[User | Group],
) -> dict[str, datetime]:
    """When the Identity Store says each user or group was created, where it says:
    their `meta.created`, rather than when the connector first saw them."""
    return {r.id: r.created_at for r in records if r.created_at is not None}


_RECORDS = (
    "users",
    "groups",
    "memberships",
    "permission_sets",
    "accounts",
    "provisioned_pairs",
    "assignments",
    "assignment_provenance",
    "membership_provenance",
    "applications",
    "application_assignments",
    "application_assignment_provenance",
)


def merge(fragments: Iterable[Snapshot]) -> Snapshot:
    """One fragment of the records of all, each record once."""
    parts: dict[str, dict[tuple[str, str], object]] = {name: {} for name in _RECORDS}
    for part in fragments:
        for name in _RECORDS:
            for record in getattr(part, name):
                parts[name][object_key(record)] = record
    return fragment(**{name: found.values() for name, found in parts.items()})
