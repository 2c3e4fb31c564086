"""`check`'s look at the store: can it be reached, and is its schema this version's.

It changes nothing: a store that was never created, or whose schema is older,
is reported as what the next `sync` or `serve` will create or migrate; one
that cannot be reached (StoreError's exit 6), or whose schema is newer than
this version knows (another version migrated it), is a failure.
"""

from __future__ import annotations

from dataclasses import dataclass

import alembic.config
import alembic.script
from alembic.runtime.migration import MigrationContext

from connector.config import redact_url
from connector.errors import StoreError
from connector.store import engine as store_engine
from connector.store.store import Store


@dataclass(frozen=True)
class StoreState:
    url: str  # without its password
    ok: bool
    detail: str
    revision: str | None  # the store's schema revision; None: no schema yet
    newest: str  # the newest revision this version knows


def check_store(url: str) -> StoreState:
    config = alembic.config.Config()
    config.set_main_option("script_location", str(store_engine.MIGRATIONS))
    script = alembic.script.ScriptDirectory.from_config(config)
    newest = script.get_current_head() or ""
    shown = redact_url(url)

    def state(ok: bool, detail: str, revision: str | None = None) -> StoreState:
        return StoreState(shown, ok, detail, revision, newest)

    database = store_engine.sqlite_file(url)
    if database is not None and not database.is_file():
        return state(True, "not created yet: the first sync or serve creates it")
    try:
        store = Store.open(url, migrate=False)
    except StoreError as exc:
        return state(False, str(exc))
    try:
        with store.engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    finally:
        store.close()
    if revision is None:
        return state(True, "reachable, empty: the first sync or serve creates the schema")
    if revision == newest:
        return state(True, f"reachable, schema current (revision {revision})", revision)
    known = {s.revision for s in script.walk_revisions()}
    if revision in known:
        return state(
            True,
            f"reachable, schema at revision {revision}: the next sync or serve migrates it "
            f"to {newest}",
            revision,
        )
    return state(
        False,
        f"reachable, but its schema (revision {revision}) is newer than this version knows "
        f"({newest}): run the version that migrated it",
        revision,
    )
