"""A sync's publish replays the writes that ended after the sync began.

A sync reads AWS over minutes; a grant made after it read that pair would be
missing from what it publishes, and the next read would not show a write the
client was told had succeeded. Replaying them (each store change is
idempotent) keeps what readers see at least as new as what the write path
confirmed. Each step is replayed by its own kind (`Intent.change_store`),
users and groups as AWS described them right after the step.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from connector.intents import Finished, write_provenance
from connector.store import ledger_queries
from connector.writers.registry import intent_from_json


def replay_writes(connection: sa.Connection, snapshot_id: int, since: datetime) -> int:
    """Apply to the snapshot `snapshot_id` the steps that ended since `since`; the count."""
    steps = ledger_queries.finished_since(connection, since)
    for step in steps:
        made_by = write_provenance(
            step.status, step.finished_at, step.token_name, step.operation_id
        )
        finished = Finished(
            step.created_id, step.result, step.finished_at, snapshot_id, provenance=made_by
        )
        intent_from_json(step.intent).change_store(connection, finished)
    return len(steps)
