"""Served Entitlements: one resource type of two kinds, told apart by their ids.

An account entitlement (a permission set on an account, "<account>.ps-...",
`connector.served.account_entitlements`) and an application entitlement
(access to an Identity Center application, "app.apl-...",
`connector.served.application_entitlements`) are both served at
/Entitlements, so an IGA platform lists, filters and certifies them together.
Each kind answers the store's questions for its own ids; this module sends
each id to its kind and asks both kinds of a changed row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from itertools import chain

from connector.record_keys import APPLICATION_ENTITLEMENT_PREFIX
from connector.records import Snapshot
from connector.served.account_entitlements import ACCOUNT_ENTITLEMENTS
from connector.served.application_entitlements import APPLICATION_ENTITLEMENTS
from connector.served.relations import Relations
from connector.served.rows import Row, Rows
from connector.served.served_type import ServedType, merge

NAME = "Entitlement"

KINDS = (ACCOUNT_ENTITLEMENTS, APPLICATION_ENTITLEMENTS)


def is_application(resource_id: str) -> bool:
    """Whether the id names an application entitlement: an account one starts with
    the 12-digit account id (connector.record_keys)."""
    return resource_id.startswith(APPLICATION_ENTITLEMENT_PREFIX)


def kind_of(resource_id: str) -> ServedType:
    return APPLICATION_ENTITLEMENTS if is_application(resource_id) else ACCOUNT_ENTITLEMENTS


def ids(relations: Relations) -> Iterable[str]:
    return chain.from_iterable(kind.ids(relations) for kind in KINDS)


def digest(relations: Relations, resource_id: str) -> str | None:
    return kind_of(resource_id).digest(relations, resource_id)


def dependents(rows: Rows, row: Row) -> Collection[str]:
    return {resource_id for kind in KINDS for resource_id in kind.dependents(rows, row)}


def load(rows: Rows, resource_ids: Collection[str]) -> Snapshot:
    return merge(kind.load(rows, [i for i in resource_ids if kind_of(i) is kind]) for kind in KINDS)


ENTITLEMENTS = ServedType(NAME, ids, digest, dependents, load)
