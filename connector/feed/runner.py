"""Running the change feed: a batch of events in, the served snapshot brought up to date.

For each batch:

1. events already applied (their eventID seen within the overlap), about
   another instance or identity store (logged), failed or read-only calls are
   dropped; so are this connector's own writes, recognised by the AWS request
   ids the ledger recorded, since write-through applied them already: they
   cost no call;
2. the targets the remaining events name are coalesced, so changes close
   together cost one re-read, and re-read from AWS in a fixed order (a user
   before the memberships that name it);
3. each target is applied in its own small transaction, with the change record
   rules of a full sync (`connector.store.write_through`): readers never see
   half a change; a sign-in needs no re-read and is kept as its access's last
   use (`connector.store.last_use`: the latest wins, in any order);
4. the batch's progress is recorded (cursor, events seen), then the source is
   told (an SQS message deleted): a feed killed half-way reads the batch again.

The feed and the full sync run in turn in one process (`idc-connector sync
--loop`), never together: a sync publishes what it read, and the events that
arrived meanwhile are applied on top of it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connector.aws import AwsClients
from connector.errors import ThrottledError
from connector.feed import lag, mapping
from connector.feed.events import ChangeEvent
from connector.feed.memberships import GroupMembers, group_of_membership
from connector.feed.sources import CloudTrailSource, SqsSource
from connector.feed.targets import Target
from connector.readers.instance import Instance
from connector.records import ApplicationAssignment, Assignment, Provenance, SignIn
from connector.store import feed_state, last_use, ledger_queries, write_through
from connector.store.snapshots import current_snapshot_id
from connector.store.store import Store, utcnow

log = logging.getLogger(__name__)

# An asynchronous assignment request may still run when its event arrives:
# its pair is read again after these pauses before the feed takes what it shows.
SETTLE_PAUSES = (0.5, 1.0, 2.0, 4.0)
# A failed batch is read again after this pause, doubled while batches keep failing.
FAILURE_PAUSE = 5.0
FAILURE_PAUSE_MAX = 300.0
# Targets are applied in this order: what a later kind names exists by then.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ORDER = ("AccountTarget", "PermissionSetTarget", "UserTarget", "GroupTarget")


@dataclass(frozen=True)
class BatchReport:
    events: int
    applied: int  # events whose targets were re-read
    own: int
    foreign: int
    duplicate: int
    malformed: int
    targets: int
    changes: int
    seconds: float


class ChangeFeed:
    def __init__(
        self,
        store: Store,
        aws: AwsClients,
        instance: Instance,
        source: CloudTrailSource | SqsSource,
    ) -> None:
        self._store = store
        self._aws = aws
        self._instance = instance
        self._source = source

    def run_until(
        self, deadline: float, stop: threading.Event, until: Callable[[], bool] = lambda: False
    ) -> None:
        """Apply batches until `deadline` (monotonic), `stop`, or `until()` (asked after
        each batch: the sync process stops the feed that fell behind).

        A failed batch is logged, recorded (connector.feed.lag: status and /ready
        show it) and read again after a pause that doubles while batches keep
        failing, so AccessDenied is neither lost nor hammered. Throttling past
        botocore's own retries only slows the feed the same way."""
        failures = 0
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                report = self.step(lambda: stop.is_set() or time.monotonic() >= deadline)
            except Exception as exc:
                failures += 1
                if isinstance(exc, ThrottledError):
                    log.warning("AWS throttles the change feed; the batch is read again later")
                else:
                    log.exception("change feed batch failed; it is read again")
                lag.record_failure(self._store, self._source.name, exc)
                stop.wait(min(FAILURE_PAUSE_MAX, FAILURE_PAUSE * 2 ** (failures - 1)))
            else:
                failures = 0
                if report.events or report.malformed:
                    log.info("change feed batch applied", extra={"feed": report.__dict__})
            if until():
                return

    def step(self, stopping: Any = lambda: False) -> BatchReport:
        started = time.monotonic()
        batch = self._source.fetch(stopping)
        with self._store.reading() as connection:
            unseen = feed_state.unseen(connection, [e.event_id for e in batch.events])
            own = ledger_queries.known_request_ids(
                connection, [i for e in batch.events for i in _request_ids(e)]
            )
        counts = {"own": 0, "foreign": 0, "duplicate": 0, "applied": 0}
        named: list[mapping.Named] = []
        granted: list[mapping.Granted] = []
        used: list[SignIn] = []
        for event in batch.events:
            kind = self._kind(event, unseen, own)
            if kind is not None:
                counts[kind] += 1
                continue
            found = mapping.named_by(event)
            counts["applied"] += bool(found)
            named.extend(found)
            if (grant := mapping.granted_in(event)) is not None:
                granted.append(grant)
            if (sign_in := mapping.used_in(event)) is not None:
                used.append(sign_in)
        targets = self._targets(named)
        changes = self._apply_each(targets)
        changes += self._note_provenance(granted)
        changes += self._note_use(used)
        with self._store.writing() as connection:
            batch.commit(connection)
        batch.acknowledge()
        return BatchReport(
            events=len(batch.events),
            malformed=batch.malformed,
            targets=len(targets),
            changes=changes,
            seconds=round(time.monotonic() - started, 3),
            **counts,
        )

    def _kind(self, event: ChangeEvent, unseen: set[str], own: set[str]) -> str | None:
        """Why the event needs no re-read, if it needs none."""
        if event.event_id not in unseen:
            return "duplicate"
        if own.intersection(_request_ids(event)):
            return "own"
        if mapping.foreign(event, self._instance.instance_arn, self._instance.identity_store_id):
            log.info(
                "an event of another Identity Center instance or identity store is ignored",
                extra={"event": event.event_id, "name": event.name},
            )
            return "foreign"
        return None

    def _targets(self, named: Iterable[mapping.Named]) -> list[Target]:
        """Each target once, a deleted membership as its group's members, in order."""
        found: dict[Any, None] = {}
        with self._store.reading() as connection:
            snapshot_id = current_snapshot_id(connection)
            for item in named:
                if isinstance(item, mapping.MembershipById):
                    group = (
                        group_of_membership(connection, snapshot_id, item.membership_id)
                        if snapshot_id is not None
                        else None
                    )
                    if group is not None:
                        found[GroupMembers(group)] = None
                    continue
                found[item] = None
        rank = {name: position for position, name in enumerate(_ORDER)}
        return sorted(found, key=lambda t: rank.get(type(t).__name__, len(_ORDER)))

    def _note_provenance(self, granted: Iterable[mapping.Granted]) -> int:
        """Keep who made each assignment (to an account or an application) the events
        reported, where the store holds it (re-read above) and knows no better. Of
        several creations of one assignment in a batch (made, removed, made again),
        the latest holds."""
        latest: dict[Assignment | ApplicationAssignment, Provenance] = {}
        for assignment, provenance in sorted(granted, key=lambda g: g[1].granted_at or _EPOCH):
            latest[assignment] = provenance
        noted = 0
        for assignment, provenance in latest.items():
            with self._store.writing() as connection:
                snapshot_id = write_through.changing_snapshot_id(connection)
                if snapshot_id is not None:
                    noted += write_through.note_grant(
                        connection, assignment, provenance, utcnow(), snapshot_id
                    )
        return noted

    def _note_use(self, used: list[SignIn]) -> int:
        """Keep each access's latest sign-in the events reported."""
        if not used:
            return 0
        with self._store.writing() as connection:
            return last_use.record(connection, used, current_snapshot_id(connection))

    def _apply_each(self, targets: list[Target]) -> int:
        """Refresh each target in turn, saying so for each: how far a batch has got is
        visible in the log (a batch of many targets takes a while)."""
        changes = 0
        for position, target in enumerate(targets, 1):
            changed = self._refresh(target)
            changes += changed
            log.info(
                "change feed target applied",
                extra={
                    "target": type(target).__name__,
                    "position": position,
                    "of": len(targets),
                    "changes": changed,
                },
            )
        return changes

    def _refresh(self, target: Target) -> int:
        fresh = target.reread(self._aws, self._instance)
        for pause in SETTLE_PAUSES:
            if target.settled(fresh):
                break
            time.sleep(pause)
            fresh = target.reread(self._aws, self._instance)
        with self._store.writing() as connection:
            snapshot_id = write_through.changing_snapshot_id(connection)
            if snapshot_id is None:
                return 0  # nothing served yet: the first sync reads it
            return target.apply(connection, snapshot_id, fresh, utcnow())


def _request_ids(event: ChangeEvent) -> list[str]:
    """The request ids a write of this connector would have recorded for the event:
    CloudTrail's requestID, and an assignment request's own id."""
    found = [event.request_id] if event.request_id else []
    for key in ("accountAssignmentCreationStatus", "accountAssignmentDeletionStatus"):
        status = event.response.get(key)
        if isinstance(status, dict) and isinstance(status.get("requestId"), str):
            found.append(status["requestId"])
    return found
