"""Running write operations on worker threads, each to its end.

An operation:

1. locks every AWS object its steps change (the ledger's write locks), all at
   once, until it ends, so identical concurrent requests make one AWS call and
   an undo never overwrites another request's change;
2. lets a deletion find what its principal holds, once it holds its locks;
3. runs its steps in order (`steps.StepRunner`), binding the id of a user or
   group it created into the steps after;
4. on a failure marks the steps after as not attempted and undoes the steps
   already done, in reverse order, as undo steps of their own, so a failed
   request leaves AWS as it was.

Its final status carries what the failure means (`connector.errors.Failure`),
never an HTTP status: the SCIM side answers it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from connector.config import Settings
from connector.errors import Failure
from connector.intents import CREATED, StepOutcome, bind_created
from connector.provisioning.aws_access import AwsAccess
from connector.provisioning.deletions import Deletions
from connector.provisioning.operation_ledger import ClaimLost, OperationLedger
from connector.provisioning.steps import (
    LOCK_TIMEOUT,
    LOCK_WAIT,
    LeftOpen,
    StepRunner,
    lock_conflict,
)
from connector.store import ledger, write_claims
from connector.store.ledger import OperationRecord, StepRecord
from connector.store.store import Store, utcnow

log = logging.getLogger(__name__)

Done = Sequence[tuple[StepRecord, StepOutcome]]


class Runner:
    """The worker threads of one process, and the operations they are running."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        access: AwsAccess,
        deletions: Deletions,
        *,
        runner: str,
        threads: int,
    ) -> None:
        self._store = store
        self._settings = settings
        self._access = access
        self._deletions = deletions
        self.runner = runner
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="write")
        self._done: dict[str, threading.Event] = {}
        self._done_lock = threading.Lock()

    def launch(self, operation_id: str) -> None:
        with self._done_lock:
            self._done[operation_id] = threading.Event()
        self._pool.submit(self._run_guarded, operation_id)

    def running(self) -> list[str]:
        """The operations this process runs, queued ones included."""
        with self._done_lock:
            return list(self._done)

    def done_event(self, operation_id: str) -> threading.Event | None:
        """Set when this process stops running the operation; None if it does not run it."""
        with self._done_lock:
            return self._done.get(operation_id)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run_guarded(self, operation_id: str) -> None:
        try:
            operation = OperationLedger(self._store, operation_id, self.runner)
            _OperationRun(operation, self._access, self._settings, self._deletions).run()
        except ClaimLost:
            log.warning(
                "write operation taken over by another runner", extra={"operation": operation_id}
            )
        except LeftOpen as exc:
            # Its heartbeat stops with this thread: a resume picks it up again.
            log.warning(
                "write operation left open to resume: AWS's answer could not be had in time",
                extra={"operation": operation_id, "error": str(exc)},
            )
        except Exception:
            # The operation stays open in the ledger; a runner resumes it later.
            log.exception("write operation interrupted", extra={"operation": operation_id})
        finally:
            with self._done_lock:
                event = self._done.pop(operation_id, None)
            if event is not None:
                event.set()


class _OperationRun:
    def __init__(
        self,
        operation: OperationLedger,
        access: AwsAccess,
        settings: Settings,
        deletions: Deletions,
    ) -> None:
        self._operation = operation
        self._steps = StepRunner(operation, access, settings)
        self._deletions = deletions

    def run(self) -> None:
        self._operation.set_status("in_progress")
        record = self._lock_all(self._operation.record())
        do_steps = [s for s in record.steps if s.role == "do"]
        undo_steps = [s for s in record.steps if s.role == "undo"]
        done: list[tuple[StepRecord, StepOutcome]] = []
        failure: tuple[StepRecord, StepOutcome] | None = None
        for step in do_steps:
            step = dataclasses.replace(step, intent=bind_created(step.intent, _created(done)))
            if step.status in ("succeeded", "unchanged"):
                done.append((step, StepOutcome(step.status, step.created_id)))
                continue
            if step.status == "failed":  # resumed after a failure: only undoing is left
                failure = (
                    step,
                    StepOutcome(
                        "failed", None, step.error_code, step.failure_reason, failure=step.failure
                    ),
                )
                break
            outcome = self._steps.execute(step)
            if outcome.status == "failed":
                failure = (step, outcome)
                break
            done.append((step, outcome))
        if failure is None:
            self._operation.set_status("succeeded", resource_id=_created(done))
            return
        self._not_attempted(do_steps, done, failure[0])
        undo_failed = self._undo(done, undo_steps)
        step, outcome = failure
        message = (
            f"step {step.position + 1} ({step.intent.describe()}) failed: "
            f"{outcome.error_code}: {outcome.failure_reason}"
        )
        changed = sum(outcome.status == "succeeded" for _, outcome in done)
        if changed:
            message += (
                f"; undoing the {changed} change(s) before it failed too, so AWS may hold part "
                "of the request: see the operation's steps"
                if undo_failed
                else f"; the {changed} change(s) before it were undone"
            )
        self._operation.set_status(
            "failed", failure=outcome.failure or Failure.AWS_FAILED, error=message
        )

    def _lock_all(self, record: OperationRecord) -> OperationRecord:
        """Take every lock the operation's open steps need, all at once, then let a
        deletion see what its principal holds now.

        All at once, because an operation that takes its locks one step at a
        time can hold one key while waiting for another that a second operation
        holds while waiting for the first (two PATCHes granting the same two
        entitlements in opposite order). Keys of a principal the operation has
        yet to create are left to its steps: no other request can name it.
        A timeout fails the first step not yet started (WriteConflict).
        """
        keys = {
            key
            for step in record.steps
            if step.status not in ledger.FINAL_STEP_STATUSES
            for key in step.intent.lock_keys
            if CREATED not in key
        }
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            with self._operation.writing() as connection:
                if write_claims.take_locks(connection, record.id, keys, utcnow()):
                    break
            if time.monotonic() > deadline:
                # A resumed operation holds its started steps' keys already: only
                # a step not yet started can be what waits.
                first = next(s for s in record.steps if s.status == "planned")
                self._steps.fail(first, lock_conflict(keys))
                return self._operation.record()
            time.sleep(LOCK_WAIT)
        if all(step.status == "planned" for step in record.steps):
            self._complete_deletions(record)
        return self._operation.record()

    def _complete_deletions(self, record: OperationRecord) -> None:
        intents = [s.intent for s in record.steps]
        completed = self._deletions.complete(intents)
        if len(completed) == len(intents):
            return
        with self._operation.writing() as connection:
            ledger.replan(
                connection,
                record.id,
                completed,
                utcnow(),
                f"{len(completed) - len(intents)} more revoke(s) found once the principal "
                "was locked",
            )

    def _not_attempted(self, steps: Sequence[StepRecord], done: Done, failed: StepRecord) -> None:
        finished = {s.position for s, _ in done} | {failed.position}
        with self._operation.writing() as connection:
            for step in steps:
                if step.position not in finished and step.status == "planned":
                    ledger.finish_step(
                        connection, self._operation.id, step.position, "not_attempted", utcnow()
                    )

    def _undo(self, done: Done, existing: Sequence[StepRecord]) -> bool:
        """Undo the finished steps (last first); True if an undo step failed."""
        if not existing:
            intents = [
                undo
                for step, outcome in reversed(done)
                if outcome.status == "succeeded"
                and (undo := step.intent.inverse(outcome.created_id)) is not None
            ]
            with self._operation.writing() as connection:
                ledger.add_undo_steps(connection, self._operation.id, intents, utcnow())
            existing = [s for s in self._operation.record().steps if s.role == "undo"]
        failed = False
        for step in existing:
            if step.status in ("succeeded", "unchanged"):
                continue
            if step.status == "failed":
                failed = True
                continue
            failed |= self._steps.execute(step).status == "failed"
        return failed


def _created(done: Done) -> str | None:
    """The id of the user or group the operation created, once it has."""
    return next(
        (
            outcome.created_id
            for step, outcome in done
            if step.intent.creates and outcome.created_id
        ),
        None,
    )
