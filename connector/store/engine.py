"""Opening the store: the engine, SQLite's settings, and schema migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import alembic.command
import alembic.config
import sqlalchemy as sa

from connector.store import tables

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: PostgreSQL advisory lock that serialises concurrent migrations.
_MIGRATION_LOCK = 7_301_984_215
# Execution option that marks a transaction as read-only: on SQLite every other
# transaction takes the write lock at BEGIN (see `_sqlite_begin`).
READ_ONLY = "idcc_read_only"


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite store; None for PostgreSQL or an in-memory database."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        return None
    database = sa.engine.make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def create_engine(url: str) -> sa.Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        database = sqlite_file(url)
        if database is not None:
            database.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_settings)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 starts transactions only before writes, so a series of
    # SELECTs would each see the latest commit. Taking over BEGIN (the recipe
    # in SQLAlchemy's SQLite dialect docs) makes every transaction, reads
    # included, see one consistent state of the database.
    dbapi_connection.isolation_level = None
    # SCIM compares most strings case-insensitively, in every script: SQLite's
    # own lower() folds only ASCII, so Python's replaces it; LIKE is made
    # case-sensitive so that case-exact attributes compare exactly, as on
    # PostgreSQL (insensitive comparisons lower() both sides).
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    # WAL lets readers keep reading the current snapshot while a sync writes
    # the next one; busy_timeout makes writers queue instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA case_sensitive_like=ON")
    cursor.close()


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _sqlite_begin(connection: sa.Connection) -> None:
    # A transaction that reads and then writes must take the write lock first:
    # in WAL mode, upgrading a read transaction after another writer committed
    # fails at once with SQLITE_BUSY ("database is locked"), without waiting for
    # busy_timeout. So every transaction takes the lock at BEGIN IMMEDIATE and
    # queues behind the writer that holds it, except those that say they only
    # read (`Store.reading`): a sync's publish, a ledger step and a token
    # revocation all wait their turn the same way.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def refresh_statistics(connection: sa.Connection) -> None:
    """Let the query planner see the new snapshot's sizes.

    Without statistics SQLite walks the primary key to honour ORDER BY and
    tests every row instead of using the selective index (a userName lookup
    among 100,000 users took 275 ms instead of well under one).

    On PostgreSQL a bare ANALYZE would read every table of the database, the
    catalogs and other schemas included, and two such runs (another
    connector's, another application's) can deadlock on them: only the
    snapshot tables, as the store's search path names them, are analysed.
    """
    if connection.dialect.name != "postgresql":
        connection.exec_driver_sql("ANALYZE")
        return
    quote = connection.dialect.identifier_preparer.quote
    connection.exec_driver_sql(
        "ANALYZE " + ", ".join(quote(table.name) for table in tables.SNAPSHOT_TABLES)
    )


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`, by default the newest (a no-op when it is there)."""
    config = alembic.config.Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
            )
        config.attributes["connection"] = connection
        alembic.command.upgrade(config, revision)
