"""The ledger of one operation as its runner writes it: every write first checks,
in the same transaction, that this runner still holds the operation.

A runner that stalled past its heartbeat may have lost the operation to one
that resumed it; checking the claim where each record is written (not once
before) is what keeps two runners from both recording a step.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from connector.intents import Intent
from connector.store import ledger, write_claims
from connector.store.ledger import OperationRecord, StepRecord
from connector.store.store import Store, utcnow
from connector.writers.registry import intent_from_json


class ClaimLost(Exception):
    """Another runner resumed this operation (this one stalled past its heartbeat);
    this one stops without recording anything more, so no step runs twice."""


class OperationLedger:
    def __init__(self, store: Store, operation_id: str, runner: str) -> None:
        self.store = store
        self.id = operation_id
        self.runner = runner

    @contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """A write transaction in which this runner is known to hold the operation."""
        with self.store.writing() as connection:
            if not write_claims.heartbeat(connection, self.id, self.runner, utcnow()):
                raise ClaimLost(self.id)
            yield connection

    @functools.cached_property
    def token_name(self) -> str:
        """The token that asked for the operation: who its changes are made by."""
        return self.record().token_name

    def heartbeat(self) -> None:
        with self.writing():
            pass

    def record(self) -> OperationRecord:
        with self.store.reading() as connection:
            found = ledger.get(connection, self.id, intent_from_json)
        assert found is not None, self.id
        return found

    def step(self, position: int, intent: Intent) -> StepRecord:
        """The step as the ledger has it now (its intent as bound to a created id)."""
        found = next(s for s in self.record().steps if s.position == position)
        return dataclasses.replace(found, intent=intent)

    def set_status(self, status: str, **values: Any) -> None:
        with self.writing() as connection:
            ledger.set_status(connection, self.id, status, utcnow(), **values)
