"""`Store`: the one object the rest of the connector uses to reach the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa

from connector.config import redact_url
from connector.errors import StoreError
from connector.records import Snapshot
from connector.store import engine as store_engine
from connector.store import snapshots, sync_log, tables
from connector.store.snapshots import ChangeSummary
from connector.store.sync_log import SyncRecord

# (connection, snapshot id, since) -> how many writes it applied to the snapshot
Replay = Callable[[sa.Connection, int, datetime], int]


def _first_line(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _unreachable(url: str, exc: BaseException) -> StoreError:
    return StoreError(
        f"the store {redact_url(url)} cannot be opened: {type(exc).__name__}: {_first_line(exc)}"
    )


def _require_existing(url: str) -> None:
    """StoreError unless the store at `url` exists and holds the connector's schema."""
    missing = StoreError(
        f"there is no store at {redact_url(url)}: create it with `idc-connector sync` "
        "(or serve), or set IDCC_DATABASE_URL to the store they use"
    )
    database = store_engine.sqlite_file(url)
    if database is not None and not database.is_file():
        raise missing  # connecting would create the file
    try:
        engine = store_engine.create_engine(url)
        try:
            with engine.connect() as connection:
                created = sa.inspect(connection).has_table("alembic_version")
        finally:
            engine.dispose()
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        raise _unreachable(url, exc) from None
    if not created:
        raise missing


class Store:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, migrate: bool = True, create: bool = True) -> Store:
        """Open (and migrate) the store; a store that cannot be reached is a StoreError.

        `create=False` (commands that only read what syncs and writes left, such as
        `status`) refuses a store that was never created, rather than create an
        empty one and report that nothing happened.
        """
        if not create:
            _require_existing(url)
        try:
            engine = store_engine.create_engine(url)
            if migrate:
                store_engine.migrate(engine)
            else:
                with engine.connect():
                    pass
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            raise _unreachable(url, exc) from None
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """A connection whose reads all see one state of the store.

        Readers fetch the current snapshot id and then its rows; without one
        consistent view a sync publishing in between could remove those rows
        under them.
        """
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            connection.execution_options(**{store_engine.READ_ONLY: True})
            with connection.begin():
                yield connection

    @contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """A transaction that reads and then writes (the ledger, write-through).

        On SQLite it holds the write lock from its start, so concurrent writers
        queue (busy_timeout) instead of failing when one upgrades from reading.
        Every transaction that is not `reading` does (engine.py), so this is the
        same as `engine.begin()`; it names the intent.
        """
        with self.engine.begin() as connection:
            yield connection

    # -- syncs ----------------------------------------------------------------

    def begin_sync(self, term: int | None = None) -> int:
        """Record a new sync, led under the sync lease's `term` or (None) a one-off."""
        with self.writing() as connection:
            sync_id = sync_log.begin_sync(connection, utcnow(), term)
        # Rows of snapshots that never became current (a sync killed half-way).
        with self.writing() as connection:
            snapshots.drop_stale_snapshots(connection)
        return sync_id

    def heartbeat(self, sync_id: int) -> None:
        with self.writing() as connection:
            sync_log.heartbeat(connection, sync_id, utcnow())

    def publish(
        self,
        sync_id: int,
        snapshot: Snapshot,
        *,
        aws: dict[str, object],
        walk: dict[str, str],
        organizations_unavailable: str | None,
        replay: Replay,
    ) -> ChangeSummary:
        """Make `snapshot` the current one and record the sync as succeeded, atomically;
        `replay` applies to it the writes that ended since the sync began
        (connector.writers.replay.replay_writes), in the same transaction."""
        now = utcnow()
        with self.writing() as connection:
            sync_log.fence(connection, sync_id)
            summary = snapshots.publish_snapshot(connection, sync_id, snapshot, now)
            started_at = connection.execute(
                sa.select(tables.syncs.c.started_at).where(tables.syncs.c.id == sync_id)
            ).scalar_one()
            replay(connection, sync_id, started_at)
            sync_log.finish_sync(
                connection,
                sync_id,
                now,
                outcome="succeeded",
                instance_arn=snapshot.instance_arn,
                identity_store_id=snapshot.identity_store_id,
                counts=snapshot.counts(),
                changes=summary.as_dict(),
                aws=aws,
                walk=walk,
                organizations_unavailable=organizations_unavailable,
            )
        with self.writing() as connection:
            snapshots.drop_stale_snapshots(connection)
            store_engine.refresh_statistics(connection)
        return summary

    def fail_sync(self, sync_id: int, error: str, *, aws: dict[str, object] | None = None) -> None:
        with self.writing() as connection:
            sync_log.finish_sync(
                connection, sync_id, utcnow(), outcome="failed", error=error, aws=aws
            )

    def syncs(self, limit: int = 20) -> list[SyncRecord]:
        with self.reading() as connection:
            return sync_log.list_syncs(connection, limit)

    def served_changes(self, sync_id: int) -> list[tuple[str, str, str]]:
        with self.reading() as connection:
            return sync_log.served_changes(connection, sync_id)

    def last_succeeded_sync(self) -> SyncRecord | None:
        with self.reading() as connection:
            return sync_log.last_succeeded_sync(connection)

    # -- snapshots ------------------------------------------------------------

    def current_snapshot_id(self) -> int | None:
        with self.reading() as connection:
            return snapshots.current_snapshot_id(connection)

    def read_snapshot(self) -> Snapshot | None:
        """The current snapshot, whole, read in one consistent view."""
        with self.reading() as connection:
            snapshot_id = snapshots.current_snapshot_id(connection)
            if snapshot_id is None:
                return None
            return snapshots.read_snapshot(connection, snapshot_id)
