"""What the change feed re-reads: one object (or one small set) an event named.

Each kind of target lives in a module of its own (`assignments`, `memberships`,
`users`, `groups`, `permission_sets`, `accounts`, `applications`) and answers two questions:
how it is read from AWS now (`reread`, outside any transaction), and how that
state replaces what the served snapshot holds (`apply`, inside the feed's
transaction, through `connector.store.write_through`). Targets are frozen and
hashable, so the events of one batch that name the same object cost one re-read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.readers.instance import Instance


class Target(Protocol):
    def reread(self, aws: AwsClients, instance: Instance) -> Any:
        """The object as AWS holds it now (None: it no longer exists)."""

    def apply(self, connection: sa.Connection, snapshot_id: int, fresh: Any, now: datetime) -> int:
        """Make the snapshot hold `fresh`; how many rows changed."""

    def settled(self, fresh: Any) -> bool:
        """False while AWS may still be carrying out the change the event reported
        (an asynchronous assignment request): the target is read again shortly."""


def served(connection: sa.Connection, snapshot_id: int, table: sa.Table, object_id: str) -> bool:
    """Whether the snapshot holds the user or group (`table`) with this id."""
    found = connection.execute(
        sa.select(table.c.id)
        .where(table.c.snapshot_id == snapshot_id)
        .where(table.c.id == object_id)
    ).first()
    return found is not None
