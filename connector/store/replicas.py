"""One `serve` per SQLite store: several replicas need PostgreSQL.

A SQLite file is one host's, and its single writer would make replicas queue
on each other; their sync processes would also lead in turn on one host for
nothing. So a second `serve` on the same file is refused before it starts
anything (exit code 2, docs/troubleshooting.md), while the first holds
`<store>.serve.lock` (connector.file_claim). PostgreSQL takes any number of
replicas: one of them leads the syncs (connector.leadership).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connector.errors import ConfigError
from connector.file_claim import Held, claimed
from connector.store.engine import sqlite_file


@contextmanager
def one_replica_on_sqlite(url: str) -> Iterator[None]:
    """Hold a SQLite store for this `serve` while it runs; nothing to hold on PostgreSQL."""
    database = sqlite_file(url)
    if database is None:
        yield
        return
    lock = database.with_name(database.name + ".serve.lock")
    try:
        with claimed(lock):
            yield
    except Held as held:
        raise ConfigError(
            f"another serve (pid {held.holder}) uses the SQLite store {database.resolve()}: "
            "SQLite serves one replica; stop that one, or run several on PostgreSQL"
        ) from None
