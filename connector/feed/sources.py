"""Where the change feed reads AWS's events: CloudTrail's event history, or an SQS queue.

Both hand over a `Batch`: the events read, how many messages were not
events, and what to record once the batch is applied (`commit`, in the
store's transaction) and to tell AWS afterwards (`acknowledge`).

- `CloudTrailSource` polls LookupEvents, one event source a call (AWS allows
  one lookup attribute), from a durable cursor per source, reading an overlap
  before it again each time because CloudTrail delivers late and out of order
  (about 5 minutes on average, not guaranteed: CloudTrail User Guide). Its
  pace is the AWS seam's (`IDCC_LOOKUP_EVENTS_RPS`, under AWS's 2 requests/s).
- `SqsSource` long-polls a queue an EventBridge rule feeds ("AWS API Call via
  CloudTrail"); a message is deleted only once its change is applied, so a
  message that cannot be applied (or read) is received again, and after the
  queue's maxReceiveCount moves to its dead-letter queue.

Each batch's `commit` also records how far the feed has read
(`feed_state.polled`; connector.feed.lag measures the lag from it): for
CloudTrail the poll's end time, every source having been read up to it; for
SQS the `SentTimestamp` of the oldest message applied (how long it waited in
the queue), or the receive's time when the queue was empty.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.feed.events import ChangeEvent, MalformedEvent, from_eventbridge, from_lookup
from connector.store import feed_state
from connector.store.store import Store, utcnow

log = logging.getLogger(__name__)

# DeleteMessageBatch takes at most ten entries; an applied message waits at most
# this long for nine others (the queue's visibility timeout is far longer).
DELETE_BATCH = 10
DELETE_WITHIN = 10.0


@dataclass
class Batch:
    events: list[ChangeEvent]
    malformed: int = 0
    commit: Callable[[sa.Connection], None] = lambda connection: None
    acknowledge: Callable[[], None] = lambda: None


class CloudTrailSource:
    name = "cloudtrail"

    def __init__(
        self,
        store: Store,
        clients: Mapping[str, AwsClients],
        *,
        overlap: timedelta,
        interval: float,
    ) -> None:
        """`clients` maps each event source to the AWS clients of the region that
        logs it (Organizations and Account Management log in us-east-1 only)."""
        self._store = store
        self._clients = dict(clients)
        self._overlap = overlap
        self._interval = interval
        self._last_poll = 0.0

    def fetch(self, stop: Callable[[], bool]) -> Batch:
        wait = self._last_poll + self._interval - time.monotonic()
        while wait > 0 and not stop():
            time.sleep(min(wait, 0.5))
            wait = self._last_poll + self._interval - time.monotonic()
        self._last_poll = time.monotonic()
        now = utcnow()
        with self._store.reading() as connection:
            cursors = {s: feed_state.cursor(connection, s) for s in self._clients}
        events: list[ChangeEvent] = []
        malformed = 0
        for source, aws in self._clients.items():
            start = (cursors[source] or now) - self._overlap
            for item in aws.items(
                "cloudtrail",
                "LookupEvents",
                LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": source}],
                StartTime=start,
                EndTime=now,
            ):
                try:
                    events.append(from_lookup(item))
                except MalformedEvent as exc:
                    malformed += 1
                    log.warning(
                        "a CloudTrail event the feed cannot read", extra={"error": str(exc)}
                    )
        events.sort(key=lambda e: e.time)  # LookupEvents answers newest first
        forget = min((c or now) for c in cursors.values()) - 2 * self._overlap

        def commit(connection: sa.Connection) -> None:
            feed_state.advance(
                connection,
                {source: now for source in self._clients},
                {e.event_id: e.time for e in events},
                utcnow(),
                forget,
            )
            feed_state.polled(
                connection, self.name, read_up_to=now, newest_event_at=_newest(events), now=utcnow()
            )

        return Batch(events, malformed, commit)


class SqsSource:
    """Long-polls the queue; deletes applied messages ten a call.

    At a change or so a second each long poll returns with one message; deleting
    each at once would cost a call per change. Applied messages are deleted
    with DeleteMessageBatch once ten wait, once the oldest has waited
    `DELETE_WITHIN` seconds, or when the queue is found empty, always well
    within the queue's visibility timeout (120 s in `change-feed setup`'s
    template). A process that stops first leaves them to be received again:
    their events are recognised as applied (feed_seen_events) and deleted then.
    """

    name = "sqs"

    def __init__(self, aws: AwsClients, queue_url: str, *, wait_seconds: int) -> None:
        self._aws = aws
        self._queue_url = queue_url
        # ReceiveMessage waits at most 20 s (Amazon SQS long polling).
        self._wait = max(0, min(20, wait_seconds))
        self._applied: list[tuple[str, float]] = []  # receipt handle, when applied

    def fetch(self, stop: Callable[[], bool]) -> Batch:
        self._delete_applied(due_only=True)
        received_at = utcnow()
        messages: Sequence[Mapping[str, Any]] = self._aws.call(
            "sqs",
            "ReceiveMessage",
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=self._wait,
            MessageSystemAttributeNames=["SentTimestamp"],
        ).get("Messages", [])
        events: list[ChangeEvent] = []
        handles: list[str] = []
        sent: list[datetime] = []
        malformed = 0
        for message in messages:
            try:
                events.append(from_eventbridge(message.get("Body", "")))
            except MalformedEvent as exc:
                # Left on the queue: received again, then moved to the dead-letter
                # queue after the queue's maxReceiveCount.
                malformed += 1
                log.warning("a queue message the feed cannot read", extra={"error": str(exc)})
                continue
            handles.append(message["ReceiptHandle"])
            sent.append(_sent_at(message, received_at))
        seen = {e.event_id: e.time for e in events}

        def commit(connection: sa.Connection) -> None:
            feed_state.advance(connection, {}, seen, utcnow(), utcnow() - timedelta(days=1))
            feed_state.polled(
                connection,
                self.name,
                read_up_to=min(sent, default=received_at),
                newest_event_at=_newest(events),
                now=utcnow(),
            )

        def acknowledge() -> None:
            applied_at = time.monotonic()
            self._applied.extend((handle, applied_at) for handle in handles)
            self._delete_applied(due_only=bool(messages))

        return Batch(events, malformed, commit, acknowledge)

    def _delete_applied(self, *, due_only: bool) -> None:
        """Delete the applied messages: all, or (`due_only`) when ten wait or the
        oldest has waited DELETE_WITHIN seconds."""
        if not self._applied:
            return
        oldest = self._applied[0][1]
        due = len(self._applied) >= DELETE_BATCH or time.monotonic() - oldest >= DELETE_WITHIN
        if due_only and not due:
            return
        while self._applied:
            chunk, self._applied = self._applied[:DELETE_BATCH], self._applied[DELETE_BATCH:]
            answer = self._aws.call(
                "sqs",
                "DeleteMessageBatch",
                QueueUrl=self._queue_url,
                Entries=[
                    {"Id": str(position), "ReceiptHandle": handle}
                    for position, (handle, _) in enumerate(chunk)
                ],
            )
            for failed in answer.get("Failed", []):
                # Received again later, recognised as applied, deleted then.
                log.warning(
                    "a queue message could not be deleted", extra={"code": failed.get("Code")}
                )


def _newest(events: Sequence[ChangeEvent]) -> datetime | None:
    return max((e.time for e in events), default=None)


def _sent_at(message: Mapping[str, Any], received_at: datetime) -> datetime:
    """When SQS accepted the message (its SentTimestamp, epoch milliseconds)."""
    try:
        return datetime.fromtimestamp(int(message["Attributes"]["SentTimestamp"]) / 1000, UTC)
    except (KeyError, TypeError, ValueError):
        return received_at
