"""The store of a command that uses nothing else (`status`, `operations`, `token ...`)."""

from __future__ import annotations

from connector.checked_settings import load_checked_settings
from connector.store.store import Store


def local_store(*, create: bool = False) -> Store:
    """The store of a command that uses nothing else: it calls no AWS API, so it needs
    no region, and unless it is `create`, a store that was never created is an error
    (StoreError, exit 6), not a new empty one."""
    return Store.open(load_checked_settings(aws=False).database_url, create=create)
