"""Stores filled from a simulated organisation, for the serving benchmark.

Serving is measured on a store of a given size; how the store got there is
the sync benchmark's business. So the organisation is seeded and synced
in-process, unpaced, once, its documents rendered as `idc-connector sync`
renders them, and the SQLite file is kept (bench/.cache) for the next run.
"""

from __future__ import annotations

import time
from pathlib import Path

from connector.config import Settings, load_settings
from connector.connection import connect
from connector.simulator import load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store.store import Store
from connector.sync import run_sync
from scim.rendering import render_snapshot

CACHE = Path(__file__).resolve().parent / ".cache"


def unpaced_settings(database_url: str) -> Settings:
    """Settings for syncing the in-process simulator as fast as it answers."""
    return load_settings(
        {
            "IDCC_REGION": "us-east-1",
            "IDCC_CREDENTIALS_MODE": "access_key",
            "IDCC_AWS_ACCESS_KEY_ID": "bench",
            "IDCC_AWS_SECRET_ACCESS_KEY": "bench",
            "IDCC_DATABASE_URL": database_url,
            "IDCC_SSO_ADMIN_RPS": "1000000",
            "IDCC_IDENTITYSTORE_RPS": "1000000",
            "IDCC_ORGANIZATIONS_RPS": "1000000",
        }
    )


def build_store(size: str) -> tuple[Path, float | None]:
    """The store file for `size`, and the seconds it took to build (None: cached)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{size}.sqlite3"
    if path.exists():
        return path, None
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(f"{partial.name}*"):
        leftover.unlink()
    started = time.monotonic()
    with simulated_aws():
        load_plan(plan_organisation(PRESETS[size]))
        settings = unpaced_settings(f"sqlite:///{partial}")
        store = Store.open(settings.database_url)
        run_sync(settings, store, connect(settings))
        render_snapshot(store)  # as `idc-connector sync` does after each sync
        store.close()
    partial.rename(path)
    return path, time.monotonic() - started


if __name__ == "__main__":
    import sys

    built, seconds = build_store(sys.argv[1] if len(sys.argv) > 1 else "XL")
    print(built, "cached" if seconds is None else f"built in {seconds:.0f}s")
