"""Submitting a write: idempotency, guardrails, the ledger before AWS, and a bounded wait.

`submit` records the operation, with all its planned steps, before anything
is asked of AWS, and hands it to a worker thread (`running`); the HTTP side
waits for it a bounded time (`wait`) and answers 202 Accepted if it is still
running. A request carrying an Idempotency-Key that was seen before gets the
earlier operation back, never a second one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from connector.errors import IdempotencyKeyReused
from connector.intents import AwsCall, Intent
from connector.provisioning.aws_access import AwsAccess
from connector.provisioning.deletions import Deletions
from connector.provisioning.guarding import Guard
from connector.provisioning.running import Runner
from connector.store import ledger
from connector.store.ledger import OperationRecord
from connector.store.store import Store, utcnow
from connector.writers.registry import intent_from_json

ACTIONS = ("create", "replace", "modify", "delete")


@dataclass(frozen=True)
class WriteRequest:
    """A validated write: who asks, what it does to which resource, and its steps."""

    token_name: str
    action: str  # one of ACTIONS
    resource_type: str  # User | Group
    resource_id: str | None
    intents: tuple[Intent, ...]
    request_hash: str
    idempotency_key: str | None = None


class Submitter:
    def __init__(
        self, store: Store, access: AwsAccess, guard: Guard, deletions: Deletions, runner: Runner
    ) -> None:
        self._store = store
        self._access = access
        self._guard = guard
        self._deletions = deletions
        self._runner = runner

    def submit(self, request: WriteRequest) -> tuple[str, bool]:
        """Record and start the operation; (its id, whether it is an earlier one replayed)."""
        assert request.action in ACTIONS, request.action
        if request.idempotency_key:
            earlier = self.earlier(
                request.token_name, request.idempotency_key, request.request_hash
            )
            if earlier is not None:
                return earlier, True
        self._guard.check(request.intents)
        operation_id = str(uuid.uuid4())
        try:
            with self._store.writing() as connection:
                ledger.create_operation(
                    connection,
                    operation_id=operation_id,
                    token_name=request.token_name,
                    action=request.action,
                    resource_type=request.resource_type,
                    resource_id=request.resource_id,
                    idempotency_key=request.idempotency_key,
                    request_hash=request.request_hash,
                    intents=request.intents,
                    runner=self._runner.runner,
                    now=utcnow(),
                )
        except sa.exc.IntegrityError:
            # The same key arrived twice at once: the other request recorded it first.
            if request.idempotency_key is None:
                raise
            earlier = self.earlier(
                request.token_name, request.idempotency_key, request.request_hash
            )
            if earlier is None:
                raise
            return earlier, True
        self._runner.launch(operation_id)
        return operation_id, False

    def earlier(self, token_name: str, key: str, request_hash: str) -> str | None:
        """The operation an earlier request with this Idempotency-Key started, if any.

        Looked up before the request is planned: a retried DELETE must get the
        first one's answer, not a 404 for what the first one deleted.
        """
        with self._store.reading() as connection:
            found = ledger.find_by_idempotency_key(connection, token_name, key, intent_from_json)
        if found is None:
            return None
        if found.request_hash != request_hash:
            target = " ".join(filter(None, (found.resource_type, found.resource_id)))
            raise IdempotencyKeyReused(
                f"the Idempotency-Key {key!r} was used for a different "
                f"request ({found.action} {target}, operation {found.id})"
            )
        return found.id

    def dry_run(self, intents: Sequence[Intent]) -> list[tuple[Intent, list[AwsCall]]]:
        """Each step the request would run, deletions completed as a run completes
        them, with the AWS calls it makes where its target is not reached yet.
        Guardrails refuse a dry run as they refuse the write."""
        self._guard.check(intents)
        target = self._access.target()
        return [(intent, intent.calls(target)) for intent in self._deletions.complete(intents)]

    def wait(self, operation_id: str, seconds: float) -> OperationRecord:
        """The operation once it ended, or as it stands after `seconds`."""
        event = self._runner.done_event(operation_id)
        deadline = time.monotonic() + seconds
        if event is not None:
            event.wait(seconds)
        else:  # run by another process (or already over): watch the ledger
            while time.monotonic() < deadline:
                found = self.get(operation_id)
                if found is None or found.finished:
                    break
                time.sleep(0.1)
        found = self.get(operation_id)
        assert found is not None, operation_id
        return found

    def get(self, operation_id: str) -> OperationRecord | None:
        with self._store.reading() as connection:
            return ledger.get(connection, operation_id, intent_from_json)
