"""What SCIM serves, object for object, and what a fresh full sync of the same AWS serves.

The change feed's tests compare the two: a store the feed maintained must serve
what a store freshly synced from the same AWS state serves. `meta` is left out
(a sync and the feed may time a change differently), and multi-valued
attributes are put in one order: they have none (RFC 7643 §2.4), and each
store lists them in its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from connector.config import Settings
from connector.connection import connect
from connector.store import tables
from connector.store.store import Store
from connector.sync import run_sync
from connector.tokens import create_token
from scim.app import create_app

SERVED_PATHS = ("Users", "Groups", "Entitlements", "PermissionSets", "AwsAccounts")


def everything_served(get: Callable[[str], dict[str, Any]]) -> dict[tuple[str, str], Any]:
    """Every served resource by (path, id), read with `get` (a path -> its JSON body)."""
    served = {}
    for path in SERVED_PATHS:
        for resource in get(f"{path}?count=1000")["Resources"]:
            resource.pop("meta", None)
            served[(path, resource["id"])] = unordered(resource)
    return served


def unordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: unordered(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((unordered(item) for item in value), key=json.dumps)
    return value


def served_by_store(settings: Settings, store: Store) -> dict[tuple[str, str], Any]:
    """What the app on `store` serves, through the same code as the service."""
    app = create_app(settings, store=store)
    client, token = app.test_client(), create_token(store, "served-state-reader", "read")
    try:

        def get(path: str) -> dict[str, Any]:
            answer = client.get(f"/scim/v2/{path}", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200, answer.get_json()
            body: dict[str, Any] = answer.get_json()
            return body

        return everything_served(get)
    finally:
        app.extensions["idcc_provisioner"].close()


def as_a_full_sync_serves(
    settings_for: Callable[[str], Settings], tmp_path: Path, knowing: Store | None = None
) -> dict[tuple[str, str], Any]:
    """What a fresh full sync of the same AWS state serves; `settings_for` gives the
    settings for a store URL. With `knowing`, the sync knows what that store learned
    from CloudTrail, which no sync can read from AWS: who made each access, and when
    each was last used."""
    url = f"sqlite:///{tmp_path}/fresh.sqlite3"
    settings = settings_for(url)
    store = Store.open(url)
    try:
        if knowing is not None:
            _copy_learned(knowing, store)
        run_sync(settings, store, connect(settings))
        return served_by_store(settings, store)
    finally:
        store.close()


LEARNED = (
    tables.assignment_provenance,
    tables.application_assignment_provenance,
    tables.membership_provenance,
    tables.last_use,
)


def _copy_learned(source: Store, target: Store) -> None:
    with source.reading() as connection:
        rows = {
            table: [dict(r._mapping) for r in connection.execute(sa.select(table))]
            for table in LEARNED
        }
    with target.writing() as connection:
        for table, found in rows.items():
            if found:
                connection.execute(table.insert(), found)


def assert_same(maintained: dict[tuple[str, str], Any], synced: dict[tuple[str, str], Any]) -> None:
    assert maintained.keys() == synced.keys()
    for key in sorted(maintained):
        assert maintained[key] == synced[key], key
