"""Runs write operations to their end: ledger first, then AWS, then the store.

A write request becomes an operation of ordered steps (intents). `submit`
records it in the ledger before anything is asked of AWS and runs it on a
worker thread; the HTTP side waits for it a bounded time (`wait`) and answers
202 Accepted if it is still running. The worker:

1. locks each AWS object a step changes (the ledger's write_locks) until the
   operation ends, so identical concurrent requests make one AWS call and an
   undo never overwrites another request's change;
2. checks AWS for the step's current state and skips the call when it is
   already reached (granting an existing assignment, removing a non-member);
3. calls AWS, records the request id, polls asynchronous requests with
   backoff until they end, heartbeating the operation;
4. on success writes the change through to the served snapshot, in the same
   transaction that records the step's end;
5. on a failure undoes the steps already done, in reverse order, as undo steps
   of their own, so a failed request leaves AWS as it was.

A service that dies mid-operation leaves it open in the ledger; another
runner resumes it (`resume_stale`) once its heartbeat is older than
`write_resume_after`, from the step it had reached, polling the request id it
had recorded.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.config import Settings
from connector.errors import (
    TRANSIENT_AWS_ERRORS,
    AccessDeniedError,
    AwsCallError,
    AwsUnavailableError,
    ConnectorError,
)
from connector.intents import (
    CREATED,
    AddMember,
    AssignmentIntent,
    CreateGroup,
    CreateUser,
    DeleteGroup,
    DeleteUser,
    Grant,
    Intent,
    MembershipIntent,
    PrincipalType,
    RemoveMember,
    Revoke,
    UpdateGroup,
    UpdateUser,
    bind_created,
    inverse,
)
from connector.readers.assignments import assignments_for_principal
from connector.readers.instance import Instance, discover_instance
from connector.records import Assignment, Membership
from connector.store import ledger, reads, write_through
from connector.store.codec import record_json
from connector.store.ledger import OperationRecord, StepRecord
from connector.store.snapshots import current_snapshot_id
from connector.store.store import Store, utcnow
from connector.writers import assignments, identity

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Polling an asynchronous assignment request, and asking AWS again after
# throttling or an outage: first after 0.2 s, then half as long again each
# time, never more than 5 s apart (`_pauses`).
POLL_FIRST = 0.2
POLL_GROWTH = 1.5
POLL_MAX = 5.0
LOCK_WAIT = 0.1
# How long a step waits for an AWS object another operation holds.
LOCK_TIMEOUT = 300


class IdempotencyKeyReused(ConnectorError):
    """The Idempotency-Key was used before by this client for a different request."""


class WriteConflict(ConnectorError):
    """Another request kept changing the same AWS object for too long."""


class _LeftOpen(Exception):
    """A step AWS acted on (or may have) could not be brought to its end before
    `write_retry_for`: the operation stays open and is resumed from the ledger."""


class _ClaimLost(Exception):
    """Another runner resumed this operation (this one stalled past its heartbeat);
    this one stops without recording anything more, so no step runs twice."""


@dataclass(frozen=True)
class WriteRequest:
    token_name: str
    method: str
    path: str
    resource_type: str  # User | Group
    resource_id: str | None
    intents: tuple[Intent, ...]
    request_hash: str
    idempotency_key: str | None = None


@dataclass(frozen=True)
class StepOutcome:
    status: str  # succeeded | unchanged | failed
    created_id: str | None = None
    error_code: str | None = None
    failure_reason: str | None = None
    result: dict[str, Any] | None = None  # the user or group as AWS now describes it


# What a failed step answers over HTTP (status, scimType): input AWS refused is
# the client's to fix; anything else is AWS's or ours.
_CLIENT_ERRORS = {
    "ConflictException": (409, "uniqueness"),
    "ValidationException": (400, "invalidValue"),
    "ResourceNotFoundException": (404, None),
    "WriteConflict": (409, None),
}


def http_failure(intent: Intent, error_code: str | None) -> tuple[int, str | None]:
    """The SCIM status (and scimType) a failed step answers."""
    if error_code == "ResourceNotFoundException" and isinstance(intent, MembershipIntent):
        # The member is what AWS did not find: the group itself exists (it was read).
        return 400, "invalidValue"
    return _CLIENT_ERRORS.get(error_code or "", (502, None))


class Provisioner:
    """Submits, runs, resumes and reports write operations for one store and AWS."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        connect: Callable[[], AwsClients],
        *,
        runner: str | None = None,
        threads: int = 8,
    ) -> None:
        self._store = store
        self._settings = settings
        self._connect = connect
        self._aws: AwsClients | None = None
        self._instance: Instance | None = None
        self._setup_lock = threading.Lock()
        self.runner = runner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="write")
        self._done: dict[str, threading.Event] = {}
        self._done_lock = threading.Lock()
        self._stopping = threading.Event()

    # -- AWS, on first use: the service starts without reaching AWS -------------------

    def aws(self) -> AwsClients:
        with self._setup_lock:
            if self._aws is None:
                self._aws = self._connect()
            return self._aws

    def instance(self) -> Instance:
        aws = self.aws()
        with self._setup_lock:
            if self._instance is None:
                self._instance = discover_instance(aws, self._settings)
            return self._instance

    # -- submitting and waiting ----------------------------------------------------------

    def submit(self, request: WriteRequest) -> tuple[str, bool]:
        """Record and start the operation; (its id, whether it is an earlier one replayed)."""
        if request.idempotency_key:
            earlier = self.earlier(
                request.token_name, request.idempotency_key, request.request_hash
            )
            if earlier is not None:
                return earlier, True
        operation_id = str(uuid.uuid4())
        try:
            with self._store.writing() as connection:
                ledger.create_operation(
                    connection,
                    operation_id=operation_id,
                    token_name=request.token_name,
                    method=request.method,
                    path=request.path,
                    resource_type=request.resource_type,
                    resource_id=request.resource_id,
                    idempotency_key=request.idempotency_key,
                    request_hash=request.request_hash,
                    intents=request.intents,
                    runner=self.runner,
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
        self._launch(operation_id)
        return operation_id, False

    def earlier(self, token_name: str, key: str, request_hash: str) -> str | None:
        """The operation an earlier request with this Idempotency-Key started, if any.

        Looked up before the request is planned: a retried DELETE must get the
        first one's answer, not a 404 for what the first one deleted.
        """
        with self._store.reading() as connection:
            found = ledger.find_by_idempotency_key(connection, token_name, key)
        if found is None:
            return None
        if found.request_hash != request_hash:
            raise IdempotencyKeyReused(
                f"the Idempotency-Key {key!r} was used for a different "
                f"request ({found.method} {found.path}, operation {found.id})"
            )
        return found.id

    def wait(self, operation_id: str, seconds: float) -> OperationRecord:
        """The operation once it ended, or as it stands after `seconds`."""
        with self._done_lock:
            event = self._done.get(operation_id)
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

    def assignments_in_aws(
        self, principal_type: str, principal_id: str
    ) -> list[tuple[str, str]] | None:
        """(account, permission set ARN) of the principal's assignments as AWS lists
        them, or None where AWS does not allow the listing (it does only for the
        management account's organization instance). Throttling and outages are
        raised: AWS has said nothing about the listing, so the caller asks again."""
        try:
            found = assignments_for_principal(
                self.aws(), self.instance().instance_arn, principal_type, principal_id
            )
        except TRANSIENT_AWS_ERRORS:
            raise
        except (AccessDeniedError, AwsCallError) as exc:
            log.info("assignments of a principal not listed by AWS", extra={"error": str(exc)})
            return None
        return [(a.account_id, a.permission_set_arn) for a in found]

    def get(self, operation_id: str) -> OperationRecord | None:
        with self._store.reading() as connection:
            return ledger.get(connection, operation_id)

    def resume_stale(self) -> list[str]:
        """Take over open operations whose runner stopped beating, and finish them."""
        now = utcnow()
        stale_before = now - timedelta(seconds=self._settings.write_resume_after)
        with self._done_lock:
            running_here = set(self._done)
        with self._store.writing() as connection:
            claimed = ledger.claim_stale(
                connection, self.runner, stale_before, now, exclude=running_here
            )
        for operation_id in claimed:
            log.info("resuming write operation", extra={"operation": operation_id})
            self._launch(operation_id)
        return claimed

    def start_resuming(self) -> None:
        """Resume stale operations now and every half `write_resume_after`, in the
        background (the serving processes call it; claims keep them from doubling)."""
        interval = max(1.0, self._settings.write_resume_after / 2)

        def loop() -> None:
            while True:
                try:
                    self._beat_running()
                    self.resume_stale()
                except Exception:
                    log.exception("resuming write operations failed")
                if self._stopping.wait(interval):
                    return

        threading.Thread(target=loop, name="write-resume", daemon=True).start()

    def _beat_running(self) -> None:
        """Heartbeat every operation of this process, queued ones included: an
        operation waiting for a worker thread is alive, not abandoned."""
        with self._done_lock:
            running = list(self._done)
        if running:
            with self._store.writing() as connection:
                for operation_id in running:
                    ledger.heartbeat(connection, operation_id, self.runner, utcnow())

    def close(self) -> None:
        self._stopping.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _launch(self, operation_id: str) -> None:
        with self._done_lock:
            self._done[operation_id] = threading.Event()
        self._pool.submit(self._run_guarded, operation_id)

    # -- running --------------------------------------------------------------------------

    def _run_guarded(self, operation_id: str) -> None:
        try:
            self._run(operation_id)
        except _ClaimLost:
            log.warning(
                "write operation taken over by another runner", extra={"operation": operation_id}
            )
        except _LeftOpen as exc:
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

    def _run(self, operation_id: str) -> None:
        record = self.get(operation_id)
        assert record is not None
        # RFC 7644: 201 for a creation (§3.3), 204 for a deletion (§3.6), else 200.
        success_status = {"POST": 201, "DELETE": 204}.get(record.method, 200)
        self._set_status(operation_id, "in_progress")
        record = self._lock_all(record)
        do_steps = [s for s in record.steps if s.role == "do"]
        undo_steps = [s for s in record.steps if s.role == "undo"]
        done: list[tuple[StepRecord, StepOutcome]] = []
        failure: tuple[StepRecord, StepOutcome] | None = None
        for step in do_steps:
            created = _created(done)
            step = dataclasses.replace(step, intent=bind_created(step.intent, created))
            if step.status in ("succeeded", "unchanged"):
                done.append((step, StepOutcome(step.status, step.created_id)))
                continue
            if step.status == "failed":  # resumed after a failure: only undoing is left
                failure = (step, StepOutcome("failed", None, step.error_code, step.failure_reason))
                break
            outcome = self._execute(operation_id, step)
            if outcome.status == "failed":
                failure = (step, outcome)
                break
            done.append((step, outcome))
        if failure is None:
            created = _created(done)
            self._set_status(
                operation_id, "succeeded", resource_id=created, http_status=success_status
            )
            return
        self._not_attempted(operation_id, do_steps, done, failure[0])
        undo_failed = self._undo(operation_id, done, undo_steps)
        step, outcome = failure
        status, scim_type = http_failure(step.intent, outcome.error_code)
        message = (
            f"step {step.position + 1} ({_describe(step.intent)}) failed: "
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
        self._set_status(
            operation_id, "failed", http_status=status, error_type=scim_type, error=message
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
            with self._store.writing() as connection:
                self._hold(connection, record.id)
                if ledger.take_locks(connection, record.id, keys, utcnow()):
                    break
            if time.monotonic() > deadline:
                # A resumed operation holds its started steps' keys already: only
                # a step not yet started can be what waits.
                first = next(s for s in record.steps if s.status == "planned")
                self._fail(record.id, first, _lock_conflict(keys))
                found = self.get(record.id)
                assert found is not None
                return found
            time.sleep(LOCK_WAIT)
        if all(step.status == "planned" for step in record.steps):
            self._complete_deletions(record)
        found = self.get(record.id)
        assert found is not None
        return found

    def complete_deletions(self, intents: Sequence[Intent]) -> list[Intent]:
        """The intents with a revoke, before each deletion that asks for them, of every
        assignment its principal holds that the plan does not revoke yet.

        What the principal holds is what AWS lists for it
        (ListAccountAssignmentsForPrincipal, where AWS allows it) and what the
        store serves, which the write-through of every finished grant has
        updated. A running operation calls it once it holds the principal's
        lock, so no grant to the principal is still in flight; a dry run calls
        it to show the same revokes.
        """
        revoking = {
            (i.account_id, i.permission_set_arn, i.principal_type, i.principal_id)
            for i in intents
            if isinstance(i, Revoke)
        }
        completed: list[Intent] = []
        for intent in intents:
            if isinstance(intent, DeleteUser | DeleteGroup) and intent.revoke_assignments:
                principal_type: PrincipalType = (
                    "USER" if isinstance(intent, DeleteUser) else "GROUP"
                )
                principal_id = intent.user_id if isinstance(intent, DeleteUser) else intent.group_id
                for account, arn in self._held(principal_type, principal_id):
                    if (account, arn, principal_type, principal_id) not in revoking:
                        revoking.add((account, arn, principal_type, principal_id))
                        completed.append(Revoke(account, arn, principal_type, principal_id))
            completed.append(intent)
        return completed

    def _complete_deletions(self, record: OperationRecord) -> None:
        intents = [s.intent for s in record.steps]
        completed = self.complete_deletions(intents)
        if len(completed) == len(intents):
            return
        with self._store.writing() as connection:
            self._hold(connection, record.id)
            ledger.replan(
                connection,
                record.id,
                completed,
                utcnow(),
                f"{len(completed) - len(intents)} more revoke(s) found once the principal "
                "was locked",
            )

    def _held(self, principal_type: PrincipalType, principal_id: str) -> list[tuple[str, str]]:
        """(account, permission set ARN) the principal holds, in AWS or as served."""
        in_aws = self._retrying(
            lambda: self.assignments_in_aws(principal_type, principal_id),
            time.monotonic() + self._settings.write_retry_for,
        )
        with self._store.reading() as connection:
            snapshot_id = current_snapshot_id(connection)
            served = (
                reads.assignment_pairs(connection, snapshot_id, principal_type, principal_id)
                if snapshot_id is not None
                else []
            )
        return sorted(set(in_aws or ()) | set(served))

    def _not_attempted(
        self,
        operation_id: str,
        steps: Sequence[StepRecord],
        done: Sequence[tuple[StepRecord, StepOutcome]],
        failed: StepRecord,
    ) -> None:
        finished = {s.position for s, _ in done} | {failed.position}
        with self._store.writing() as connection:
            self._hold(connection, operation_id)
            for step in steps:
                if step.position not in finished and step.status == "planned":
                    ledger.finish_step(
                        connection, operation_id, step.position, "not_attempted", utcnow()
                    )

    def _undo(
        self,
        operation_id: str,
        done: Sequence[tuple[StepRecord, StepOutcome]],
        existing: Sequence[StepRecord],
    ) -> bool:
        """Undo the finished steps (last first); True if an undo step failed."""
        if not existing:
            intents = [
                undo
                for step, outcome in reversed(done)
                if outcome.status == "succeeded"
                and (undo := inverse(step.intent, outcome.created_id)) is not None
            ]
            with self._store.writing() as connection:
                self._hold(connection, operation_id)
                ledger.add_undo_steps(connection, operation_id, intents, utcnow())
            record = self.get(operation_id)
            assert record is not None
            existing = [s for s in record.steps if s.role == "undo"]
        failed = False
        for step in existing:
            if step.status in ("succeeded", "unchanged"):
                continue
            if step.status == "failed":
                failed = True
                continue
            failed |= self._execute(operation_id, step).status == "failed"
        return failed

    def _execute(self, operation_id: str, step: StepRecord) -> StepOutcome:
        """Run one step to its end: succeeded, unchanged, or failed on AWS's word.

        Throttling, an outage or an unreadable status is not AWS's word: the
        step is asked again from its check (every kind checks AWS before it
        calls, so asking again never doubles a change) until `write_retry_for`
        has passed. A step that never reached AWS then fails (AWS did nothing);
        one that did (its request id is in the ledger), or whose call got no
        answer, is never declared failed: the operation is left open and
        resumed later from what the ledger recorded.
        """
        deadline = time.monotonic() + self._settings.write_retry_for
        pauses = _pauses()
        while True:
            try:
                self._lock(operation_id, step)
                return self._apply(operation_id, step, deadline)
            except ConnectorError as exc:
                step = self._step(operation_id, step.position, step.intent)
                reached = step.aws_request_id is not None
                if not reached and not isinstance(exc, TRANSIENT_AWS_ERRORS):
                    return self._fail(operation_id, step, exc)  # AWS refused it
                if time.monotonic() >= deadline:
                    if reached or isinstance(exc, AwsUnavailableError):
                        raise _LeftOpen(f"step {step.position + 1}: {exc}") from exc
                    return self._fail(operation_id, step, exc)  # throttled throughout
                log.warning(
                    "write step retried",
                    extra={"operation": operation_id, "step": step.position, "error": str(exc)},
                )
            self._heartbeat(operation_id)
            time.sleep(next(pauses))

    def _retrying(self, read: Callable[[], _T], deadline: float) -> _T:
        """A read of AWS, asked again through throttling and outages until `deadline`."""
        pauses = _pauses()
        while True:
            try:
                return read()
            except TRANSIENT_AWS_ERRORS:
                if time.monotonic() >= deadline:
                    raise
            time.sleep(next(pauses))

    def _step(self, operation_id: str, position: int, intent: Intent) -> StepRecord:
        """The step as the ledger has it now (its intent as bound to a created id)."""
        record = self.get(operation_id)
        assert record is not None
        found = next(s for s in record.steps if s.position == position)
        return dataclasses.replace(found, intent=intent)

    def _fail(self, operation_id: str, step: StepRecord, exc: ConnectorError) -> StepOutcome:
        code = (
            exc.code
            if isinstance(exc, AwsCallError)
            else "AccessDenied"
            if isinstance(exc, AccessDeniedError)
            else type(exc).__name__
        )
        outcome = StepOutcome("failed", error_code=code, failure_reason=str(exc))
        with self._store.writing() as connection:
            self._hold(connection, operation_id)
            ledger.finish_step(
                connection,
                operation_id,
                step.position,
                "failed",
                utcnow(),
                error_code=code,
                failure_reason=str(exc),
            )
        return outcome

    def _lock(self, operation_id: str, step: StepRecord) -> None:
        """Take the step's keys (held already unless they name a principal the
        operation created since it started), then record the step's start."""
        if step.status == "in_progress":
            return  # resumed or retried: this operation holds them already
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            with self._store.writing() as connection:
                self._hold(connection, operation_id)
                if ledger.take_locks(connection, operation_id, step.intent.lock_keys, utcnow()):
                    ledger.start_step(connection, operation_id, step.position, utcnow())
                    return
            if time.monotonic() > deadline:
                raise _lock_conflict(step.intent.lock_keys)
            time.sleep(LOCK_WAIT)

    def _finish(
        self,
        operation_id: str,
        step: StepRecord,
        outcome: StepOutcome,
        store_change: Callable[[sa.Connection], None] | None = None,
    ) -> StepOutcome:
        """Record the step's end, with its write-through in the same transaction."""
        with self._store.writing() as connection:
            self._hold(connection, operation_id)
            if store_change is not None and outcome.status != "failed":
                store_change(connection)
            ledger.finish_step(
                connection,
                operation_id,
                step.position,
                outcome.status,
                utcnow(),
                created_id=outcome.created_id,
                result=outcome.result,
                error_code=outcome.error_code,
                failure_reason=outcome.failure_reason,
            )
            if isinstance(step.intent, CreateUser | CreateGroup) and outcome.created_id:
                # Known from now on, so a 202 for a POST already names what it made.
                ledger.set_resource(connection, operation_id, outcome.created_id)
        return outcome

    def _called(self, operation_id: str, step: StepRecord, request_id: str | None) -> bool:
        """Record that AWS acted on the step's call (its request id), before any read
        that follows; whether the step changed AWS, now or in an earlier try."""
        if request_id is not None:
            with self._store.writing() as connection:
                self._hold(connection, operation_id)
                ledger.record_request_id(
                    connection, operation_id, step.position, request_id, utcnow()
                )
            return True
        return step.aws_request_id is not None

    def _created_once(
        self,
        operation_id: str,
        step: StepRecord,
        find: Callable[[], str | None],
        create: Callable[[], identity.Called],
    ) -> str:
        """The id of the user or group the step creates: found by its unique name
        when the step was tried before (a resume, a retry: that try may have made
        it), else made now, its request id recorded before anything else."""
        made_id = find() if step.status == "in_progress" else None
        if made_id is None:
            called = create()
            self._called(operation_id, step, called.request_id)
            made_id = called.created_id
        assert made_id is not None
        return made_id

    def _apply(self, operation_id: str, step: StepRecord, deadline: float) -> StepOutcome:
        intent = step.intent
        if isinstance(intent, AssignmentIntent):
            return self._assignment(operation_id, step, intent, deadline)
        aws, store_id = self.aws(), self.instance().identity_store_id
        now = utcnow()

        def changed(made: bool) -> str:
            return "succeeded" if made else "unchanged"

        match intent:
            case AddMember(group_id=group_id, user_id=user_id):
                membership = identity.membership_id(aws, store_id, group_id, user_id)
                made = step.aws_request_id is not None  # an earlier try added it
                if membership is None:
                    called = identity.add_member(aws, store_id, group_id, user_id)
                    made = self._called(operation_id, step, called.request_id)
                    membership = called.created_id
                assert membership is not None
                record = Membership(membership, group_id, user_id)
                return self._finish(
                    operation_id,
                    step,
                    StepOutcome(changed(made), created_id=membership),
                    lambda c: write_through.add_member(c, record, now),
                )
            case RemoveMember(group_id=group_id, user_id=user_id):
                membership = identity.membership_id(aws, store_id, group_id, user_id)
                made = step.aws_request_id is not None
                if membership is not None:
                    called = identity.remove_member(aws, store_id, membership)
                    made = self._called(operation_id, step, called.request_id)
                return self._finish(
                    operation_id,
                    step,
                    StepOutcome(changed(made)),
                    lambda c: write_through.remove_member(c, group_id, user_id, now),
                )
            case CreateUser(params=params):
                made_id = self._created_once(
                    operation_id,
                    step,
                    lambda: identity.user_id_by_name(aws, store_id, str(params["UserName"])),
                    lambda: identity.create_user(aws, store_id, params),
                )
                user = identity.describe_user(aws, store_id, made_id)
                return self._finish(
                    operation_id,
                    step,
                    StepOutcome("succeeded", created_id=made_id, result=record_json(user)),
                    lambda c: write_through.put_user(c, user, now),
                )
            case UpdateUser(user_id=user_id, operations=operations):
                if operations:
                    called = identity.update_user(aws, store_id, user_id, operations)
                    self._called(operation_id, step, called.request_id)
                user = identity.describe_user(aws, store_id, user_id)
                return self._finish(
                    operation_id,
                    step,
                    StepOutcome(changed(bool(operations)), result=record_json(user)),
                    lambda c: write_through.put_user(c, user, now),
                )
            case DeleteUser(user_id=user_id):
                called = identity.delete_user(aws, store_id, user_id)
                return self._finish(
                    operation_id,
                    step,
                    StepOutcome(changed(self._called(operation_id, step, called.request_id))),
                    lambda c: write_through.remove_user(c, user_id, now),
                )
            case CreateGroup(params=params):
                made_id = self._created_once(
                    operation_id,
                    step,
                    lambda: identity.group_id_by_name(aws, store_id, str(params["DisplayName"])),
                    lambda: identity.create_group(aws, store_id, params),
                )
                group = identity.describe_group(aws, store_id, made_id)
                return self._finish(
                    operation_id,
                    step,
                    StepOutcome("succeeded", created_id=made_id, result=record_json(group)),
                    lambda c: write_through.put_group(c, group, now),
                )
            case UpdateGroup(group_id=group_id, operations=operations):
                if operations:
                    called = identity.update_group(aws, store_id, group_id, operations)
                    self._called(operation_id, step, called.request_id)
                group = identity.describe_group(aws, store_id, group_id)
                return self._finish(
                    operation_id,
                    step,
                    StepOutcome(changed(bool(operations)), result=record_json(group)),
                    lambda c: write_through.put_group(c, group, now),
                )
            case DeleteGroup(group_id=group_id):
                called = identity.delete_group(aws, store_id, group_id)
                return self._finish(
                    operation_id,
                    step,
                    StepOutcome(changed(self._called(operation_id, step, called.request_id))),
                    lambda c: write_through.remove_group(c, group_id, now),
                )
        raise AssertionError(f"no writer for {intent!r}")

    def _assignment(
        self, operation_id: str, step: StepRecord, intent: AssignmentIntent, deadline: float
    ) -> StepOutcome:
        aws, instance_arn = self.aws(), self.instance().instance_arn
        record = Assignment(
            intent.account_id, intent.permission_set_arn, intent.principal_type, intent.principal_id
        )
        granting = isinstance(intent, Grant)

        def through(connection: sa.Connection) -> None:
            if granting:
                write_through.grant(connection, record, utcnow())
            else:
                write_through.revoke(connection, record, utcnow())

        request_id = step.aws_request_id
        if request_id is None:
            exists = assignments.assignment_exists(aws, instance_arn, intent)
            if exists == granting:
                return self._finish(operation_id, step, StepOutcome("unchanged"), through)
            self._heartbeat(operation_id)
            request_id = assignments.start(aws, instance_arn, intent)
            self._called(operation_id, step, request_id)
        pauses = _pauses()
        while True:
            try:
                found = assignments.status(aws, instance_arn, intent, request_id)
            except AwsCallError as exc:
                if exc.code != "ResourceNotFoundException":
                    raise
                # AWS no longer knows the request (a resumed poll, long after):
                # what it holds now is the answer.
                reached = assignments.assignment_exists(aws, instance_arn, intent) == granting
                if not reached:
                    raise
                return self._finish(operation_id, step, StepOutcome("succeeded"), through)
            if found.status == "SUCCEEDED":
                return self._finish(operation_id, step, StepOutcome("succeeded"), through)
            if found.status == "FAILED":
                return self._finish(
                    operation_id,
                    step,
                    StepOutcome(
                        "failed",
                        error_code="AssignmentFailed",
                        failure_reason=found.failure_reason or "AWS gave no reason",
                    ),
                )
            if time.monotonic() >= deadline:
                raise _LeftOpen(f"step {step.position + 1}: AWS request {request_id} in progress")
            self._heartbeat(operation_id)
            time.sleep(next(pauses))

    def _hold(self, connection: sa.Connection, operation_id: str) -> None:
        """Check, in the caller's transaction, that this runner still owns the operation."""
        if not ledger.heartbeat(connection, operation_id, self.runner, utcnow()):
            raise _ClaimLost(operation_id)

    def _heartbeat(self, operation_id: str) -> None:
        with self._store.writing() as connection:
            self._hold(connection, operation_id)

    def _set_status(self, operation_id: str, status: str, **values: object) -> None:
        with self._store.writing() as connection:
            self._hold(connection, operation_id)
            ledger.set_status(connection, operation_id, status, utcnow(), **values)  # type: ignore[arg-type]


def _created(done: Sequence[tuple[StepRecord, StepOutcome]]) -> str | None:
    """The id of the user or group the operation created, once it has."""
    return next(
        (
            outcome.created_id
            for step, outcome in done
            if isinstance(step.intent, CreateUser | CreateGroup) and outcome.created_id
        ),
        None,
    )


def _pauses() -> Iterator[float]:
    """The waits between one try and the next: POLL_FIRST, growing to POLL_MAX."""
    delay = POLL_FIRST
    while True:
        yield delay
        delay = min(delay * POLL_GROWTH, POLL_MAX)


def _lock_conflict(keys: Collection[str]) -> WriteConflict:
    return WriteConflict(
        f"another request has been changing {', '.join(sorted(keys))} for more than "
        f"{LOCK_TIMEOUT} s; try again later"
    )


def _describe(intent: Intent) -> str:
    match intent:
        case Grant() | Revoke():
            return (
                f"{intent.kind} {intent.permission_set_arn} in {intent.account_id} "
                f"to {intent.principal_type} {intent.principal_id}"
            )
        case AddMember(group_id=g, user_id=u) | RemoveMember(group_id=g, user_id=u):
            return f"{intent.kind} user {u} in group {g}"
    return intent.kind.replace("_", " ")
