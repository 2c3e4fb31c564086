"""Running one step to its end: succeeded, unchanged, or failed on AWS's word.

The step's kind does the AWS work (`Intent.apply`: check, call, poll); this
module gives it what it needs (`StepContext`) and records what happens:

1. the step's lock keys are taken (held already unless they name a principal
   the operation created since it started) and its start recorded;
2. every AWS request id is recorded as soon as AWS answers, before any read
   that follows, so a step whose follow-up read fails is known to be made;
3. its end is recorded with its store change (`Intent.change_store`) in the
   same transaction, so readers see the change when the ledger says it is done.

Throttling, an outage or an unreadable status is not AWS's word: the step is
asked again from its check (every kind checks AWS before it calls, so asking
again never doubles a change) until `write_retry_for` has passed. A step that
never reached AWS then fails (AWS did nothing); one that did (its request id
is in the ledger), or whose call got no answer, is never declared failed: the
operation is left open and resumed later from what the ledger recorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterator

from connector.aws import AwsClients
from connector.config import Settings
from connector.errors import (
    TRANSIENT_AWS_ERRORS,
    AccessDeniedError,
    AwsCallError,
    AwsUnavailableError,
    ConnectorError,
    WriteConflict,
)
from connector.intents import Finished, StepOutcome, Target, write_provenance
from connector.provisioning.aws_access import AwsAccess
from connector.provisioning.operation_ledger import OperationLedger
from connector.provisioning.pauses import pauses
from connector.store import ledger, write_claims
from connector.store.ledger import StepRecord
from connector.store.store import utcnow

log = logging.getLogger(__name__)

LOCK_WAIT = 0.1
# How long a step waits for an AWS object another operation holds.
LOCK_TIMEOUT = 300


class LeftOpen(Exception):
    """A step AWS acted on (or may have) could not be brought to its end before
    `write_retry_for`: the operation stays open and is resumed from the ledger."""


def lock_conflict(keys: Collection[str]) -> WriteConflict:
    return WriteConflict(
        f"another request has been changing {', '.join(sorted(keys))} for more than "
        f"{LOCK_TIMEOUT} s; try again later"
    )


class _Step:
    """A step's view of its run (connector.intents.StepContext)."""

    def __init__(
        self,
        operation: OperationLedger,
        step: StepRecord,
        aws: AwsClients,
        target: Target,
        deadline: float,
    ) -> None:
        self._operation = operation
        self._step = step
        self.aws = aws
        self.target = target
        self._deadline = deadline
        self._pauses: Iterator[float] = pauses()

    @property
    def request_id(self) -> str | None:
        return self._step.aws_request_id

    @property
    def tried_before(self) -> bool:
        return self._step.status == "in_progress"

    def called(self, request_id: str | None) -> bool:
        if request_id is not None:
            with self._operation.writing() as connection:
                ledger.record_request_id(
                    connection, self._operation.id, self._step.position, request_id, utcnow()
                )
            return True
        return self._step.aws_request_id is not None

    def pause(self, what: str) -> None:
        if time.monotonic() >= self._deadline:
            raise LeftOpen(f"step {self._step.position + 1}: {what}")
        self._operation.heartbeat()
        time.sleep(next(self._pauses))


class StepRunner:
    """Runs the steps of one operation, each to its end."""

    def __init__(self, operation: OperationLedger, access: AwsAccess, settings: Settings) -> None:
        self._operation = operation
        self._access = access
        self._settings = settings

    def execute(self, step: StepRecord) -> StepOutcome:
        deadline = time.monotonic() + self._settings.write_retry_for
        waits = pauses()
        while True:
            try:
                self._lock(step)
                return self._apply(step, deadline)
            except ConnectorError as exc:
                step = self._operation.step(step.position, step.intent)
                reached = step.aws_request_id is not None
                if not reached and not isinstance(exc, TRANSIENT_AWS_ERRORS):
                    return self.fail(step, exc)  # AWS refused it
                if time.monotonic() >= deadline:
                    if reached or isinstance(exc, AwsUnavailableError):
                        raise LeftOpen(f"step {step.position + 1}: {exc}") from exc
                    return self.fail(step, exc)  # throttled throughout
                log.warning(
                    "write step retried",
                    extra={
                        "operation": self._operation.id,
                        "step": step.position,
                        "error": str(exc),
                    },
                )
            self._operation.heartbeat()
            time.sleep(next(waits))

    def fail(self, step: StepRecord, exc: ConnectorError) -> StepOutcome:
        code = (
            exc.code
            if isinstance(exc, AwsCallError)
            else "AccessDenied"
            if isinstance(exc, AccessDeniedError)
            else type(exc).__name__
        )
        outcome = StepOutcome(
            "failed", error_code=code, failure_reason=str(exc), failure=step.intent.failure(exc)
        )
        self._finish(step, outcome)
        return outcome

    def _apply(self, step: StepRecord, deadline: float) -> StepOutcome:
        context = _Step(self._operation, step, self._access.aws(), self._access.target(), deadline)
        return self._finish(step, step.intent.apply(context))

    def _lock(self, step: StepRecord) -> None:
        if step.status == "in_progress":
            return  # resumed or retried: this operation holds them already
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            with self._operation.writing() as connection:
                keys = step.intent.lock_keys
                if write_claims.take_locks(connection, self._operation.id, keys, utcnow()):
                    ledger.start_step(connection, self._operation.id, step.position, utcnow())
                    return
            if time.monotonic() > deadline:
                raise lock_conflict(step.intent.lock_keys)
            time.sleep(LOCK_WAIT)

    def _finish(self, step: StepRecord, outcome: StepOutcome) -> StepOutcome:
        """Record the step's end, with its store change in the same transaction."""
        now = utcnow()
        with self._operation.writing() as connection:
            if outcome.status != "failed":
                made_by = write_provenance(
                    outcome.status, now, self._operation.token_name, self._operation.id
                )
                finished = Finished(outcome.created_id, outcome.result, now, provenance=made_by)
                step.intent.change_store(connection, finished)
            ledger.finish_step(
                connection,
                self._operation.id,
                step.position,
                outcome.status,
                now,
                created_id=outcome.created_id,
                result=outcome.result,
                error_code=outcome.error_code,
                failure_reason=outcome.failure_reason,
                failure=outcome.failure,
            )
            if step.intent.creates and outcome.created_id:
                # Known from now on, so a 202 for a POST already names what it made.
                ledger.set_resource(connection, self._operation.id, outcome.created_id)
        return outcome
