"""How far behind AWS the change feed is, and when that calls for a full sync.

What the feed knows of its own progress (connector.store.feed_state.FeedHealth):

- CloudTrail: each good poll reads every event source up to the poll's end
  time, so the feed has read everything up to its oldest cursor;
- SQS: a receive returns the queue's messages, whose `SentTimestamp` (a
  ReceiveMessage attribute, no extra permission) says how long the oldest one
  waited: the feed has read everything sent before it, or, when the queue
  was empty, everything up to the receive. ApproximateAgeOfOldestMessage would
  say the same about the queue as a whole, but needs GetQueueAttributes, one
  more IAM action and call for a figure the receive already gives.

A full sync brings the served data up to date too, so the lag is measured
from the newer of the feed's position and the end of the last successful full
sync (its end, not its start: a sync longer than the bound must leave the feed
a bound's time to catch up, or syncs would follow one another).

Past `Settings.feed_max_lag()` the feed is behind: the sync process logs it,
`idc-connector status` says so, and a full sync runs at once
(connector.sync_loop). A feed that cannot read at all (AccessDenied on
LookupEvents or ReceiveMessage) thus falls back to a full sync every bound,
and /ready names the failure once no batch succeeded for that long.

Failures are recorded in words that name AWS actions and error codes only,
never AWS's message: readiness needs no token, and messages can name
accounts and people.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from connector.config import Settings
from connector.errors import (
    AccessDeniedError,
    AwsCallError,
    AwsUnavailableError,
    CredentialsError,
    ThrottledError,
)
from connector.store import feed_state, sync_log
from connector.store.feed_state import FeedHealth
from connector.store.store import Store, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedLag:
    """The feed's health against its bound, at `now`."""

    health: FeedHealth
    bound: int  # Settings.feed_max_lag()
    current_up_to: datetime | None  # the newer of the feed's read position and the sync's end
    now: datetime

    @property
    def seconds(self) -> float | None:
        """How far behind AWS the served data may be (None: nothing read or synced yet)."""
        if self.current_up_to is None:
            return None
        return max(0.0, (self.now - self.current_up_to).total_seconds())

    @property
    def behind(self) -> bool:
        return self.seconds is not None and self.seconds > self.bound

    def silent_seconds(self, served_since: datetime | None) -> float | None:
        """Seconds since the feed's last good batch, or, before its first, since the
        snapshot it follows was served (None: neither has happened)."""
        since = self.health.polled_at or served_since
        return None if since is None else max(0.0, (self.now - since).total_seconds())


def feed_lag(connection: sa.Connection, settings: Settings) -> FeedLag | None:
    """The configured feed's lag, or None without a feed."""
    if settings.change_source == "none":
        return None
    health = feed_state.health(connection, settings.change_source) or FeedHealth(
        settings.change_source, None, None, None, None, None
    )
    synced = sync_log.last_succeeded_sync(connection)
    ended = synced.finished_at if synced is not None else None
    marks = [m for m in (health.read_up_to, ended) if m is not None]
    return FeedLag(health, settings.feed_max_lag(), max(marks) if marks else None, utcnow())


def lag_of(store: Store, settings: Settings) -> FeedLag | None:
    with store.reading() as connection:
        return feed_lag(connection, settings)


def failure_text(exc: BaseException) -> str:
    """What failed, in words safe to show without a token: AWS actions and codes only."""
    if isinstance(exc, AccessDeniedError):
        return f"AWS denies {exc.action} (AccessDenied)"
    if isinstance(exc, ThrottledError):
        return f"AWS throttles {exc.operation} ({exc.code})"
    if isinstance(exc, AwsUnavailableError):
        return f"AWS does not answer {exc.operation}"
    if isinstance(exc, CredentialsError):
        return "AWS rejects the credentials"
    if isinstance(exc, AwsCallError):
        return f"{exc.operation} fails ({exc.code})"
    return f"the batch fails ({type(exc).__name__})"


def record_failure(store: Store, source: str, exc: BaseException) -> None:
    """Record a failed batch; a store that cannot record it is logged, not raised: the
    feed goes on trying either way."""
    try:
        with store.writing() as connection:
            feed_state.failed(connection, source, failure_text(exc), utcnow())
    except Exception:
        log.exception("the change feed's failure could not be recorded")
