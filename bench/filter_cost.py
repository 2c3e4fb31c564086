"""What the costliest filter the service accepts takes, on either store (issue 9).

    .venv/bin/python -m bench.filter_cost --size S [--database-url URL] [--repeat 3]

Seeds the preset's organisation and syncs it into the store named (by default
a fresh SQLite file; for PostgreSQL a URL whose schema is empty), or reuses
the store named if it has been synced already (to compare two versions of the
code on the same data). Then times what a list request does with the worst
accepted filter, the page of 100 and the total (`scim.listing.select_ids`),
best of `--repeat`. The worst accepted filter (`worst_accepted_filter()`) has
as many `co` comparisons as scim.filter_limits allows, all on effectiveAccess
(the costliest children: every route of every user's access), each with
another value, so that none can join an IN list and all must be checked
against every row. bench/serving.py measures the same filter over HTTP.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.stores import unpaced_settings
from connector.connection import connect
from connector.simulator import load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store.snapshots import current_snapshot_id
from connector.store.store import Store
from connector.sync import run_sync
from scim.listing import select_ids
from scim.query import ListQuery
from scim.resources.registry import SQL

EFFECTIVE = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User:effectiveAccess"


def worst_accepted_filter(comparisons: int | None = None) -> str:
    """`comparisons` (default: the most accepted) different `co` tests on effectiveAccess."""
    if comparisons is None:
        from scim.filter_limits import MAX_FILTER_COMPARISONS

        comparisons = MAX_FILTER_COMPARISONS
    return " and ".join(
        f'{EFFECTIVE}.value co "{i % 10}{i // 10 or ""}"' for i in range(comparisons)
    )


def synced_store(size: str, url: str) -> Store:
    store = Store.open(url)
    with store.reading() as connection:
        if current_snapshot_id(connection) is not None:
            return store
    with simulated_aws():
        load_plan(plan_organisation(PRESETS[size]))
        settings = unpaced_settings(url)
        run_sync(settings, store, connect(settings))
    return store


def seconds(store: Store, text: str, repeat: int) -> tuple[float, int]:
    """(best seconds for the page of 100 and the total, the total)."""
    best, total = float("inf"), 0
    with store.reading() as connection:
        snapshot_id = current_snapshot_id(connection)
        assert snapshot_id is not None
        for _ in range(repeat):
            started = time.monotonic()
            total, _ids = select_ids(
                connection, SQL["User"], snapshot_id, ListQuery(filter=text, count=100)
            )
            best = min(best, time.monotonic() - started)
    return best, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="S")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--comparisons", type=int, help="default: the most accepted")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'store.sqlite3'}"
        store = synced_store(args.size, url)
        text = worst_accepted_filter(args.comparisons)
        best, total = seconds(store, text, args.repeat)
        store.close()
    kind = url.split(":", 1)[0].split("+", 1)[0]
    print(f"{args.size} on {kind}: worst accepted filter {best:.3f} s ({total} users match)")


if __name__ == "__main__":
    main()
