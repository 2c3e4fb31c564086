"""What rendering costs after a later sync that changed nothing.

    .venv/bin/python -m bench.render_again --size M

Seeds the in-process simulator, syncs into a fresh SQLite store, renders the
served documents, syncs again with nothing changed, and renders again: the
second render has only what changed to do (documents of unchanged resources
are carried over from the previous snapshot).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from connector.connection import connect
from connector.simulator import load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store.store import Store
from connector.sync import run_sync
from scim.rendering import render_snapshot
from tests.simulation import simulator_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M", choices=sorted(PRESETS))
    size = parser.parse_args().size
    with tempfile.TemporaryDirectory() as directory, simulated_aws():
        url = f"sqlite:///{Path(directory) / 'store.sqlite3'}"
        settings = simulator_settings(url)
        load_plan(plan_organisation(PRESETS[size]))
        store = Store.open(url)
        for attempt in ("first", "second"):
            run_sync(settings, store, connect(settings))
            started = time.perf_counter()
            counts = render_snapshot(store)
            seconds = time.perf_counter() - started
            rendered = sum(v for k, v in counts.items() if k != "seconds")
            print(f"{size}: {attempt} sync's render: {seconds:.2f} s, {rendered} documents")
        store.close()


if __name__ == "__main__":
    main()
