"""The sign-in back-fill: every access's last use, read back as far as CloudTrail goes.

CloudTrail's Event history holds the past 90 days of management events
(CloudTrail User Guide, "Working with CloudTrail Event history"), sign-ins
(GetRoleCredentials, connector.feed.mapping.used_in) among them. On first
start the connector reads them all once, with LookupEvents filtered to the
sign-in's event name (AWS allows one lookup attribute a call), over one fixed
window ending when it began, newest first, 50 a page (the most AWS gives).
After it, the change feed keeps last use current from the sign-ins it reads.

- Resumable: each page's sign-ins and the NextToken after it are saved in one
  transaction (connector.store.sign_in_backfill), so a back-fill stopped or
  killed continues after its last saved page, and a finished one never runs
  again. A NextToken AWS no longer takes (InvalidNextTokenException) narrows the
  window to end at the oldest sign-in read, and the lookup starts again there.
- Paced: its LookupEvents calls go through the AWS seam, at
  `IDCC_LOOKUP_EVENTS_RPS` shared with the change feed's polls in this
  process (connector.aws), under AWS's 2 requests/s per account and region.
- Run by the sync process's leader beside the full sync and the feed
  (connector.sync_loop), once a snapshot exists to resolve role names against.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from connector.aws import AwsClients
from connector.errors import AwsCallError
from connector.feed.events import MalformedEvent, from_lookup
from connector.feed.mapping import SIGN_IN_EVENTS, used_in
from connector.records import SignIn
from connector.store import last_use, sign_in_backfill
from connector.store.sign_in_backfill import Progress
from connector.store.snapshots import current_snapshot_id
from connector.store.store import Store, utcnow

log = logging.getLogger(__name__)

HISTORY = timedelta(days=90)
PAGE_SIZE = 50  # LookupEvents' MaxResults: at most 50


def backfill(
    store: Store,
    aws: AwsClients,
    *,
    stop: Callable[[], bool] = lambda: False,
    now: Callable[[], datetime] = utcnow,
) -> Progress:
    """Read the sign-ins of the last 90 days, from where the back-fill stopped, until done or
    `stop()` (asked after each page); returns the progress saved."""
    with store.writing() as connection:
        progress = sign_in_backfill.progress(connection)
        if progress is None:
            end = now()
            progress = sign_in_backfill.start(connection, end - HISTORY, end)
    while progress.finished_at is None and not stop():
        progress = _next_page(store, aws, progress, now)
    return progress


def _next_page(
    store: Store, aws: AwsClients, progress: Progress, now: Callable[[], datetime]
) -> Progress:
    (event_name,) = SIGN_IN_EVENTS
    token = {"NextToken": progress.next_token} if progress.next_token else {}
    try:
        page = aws.call(
            "cloudtrail",
            "LookupEvents",
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": event_name}],
            StartTime=progress.window_start,
            EndTime=progress.window_end,
            MaxResults=PAGE_SIZE,
            **token,
        )
    except AwsCallError as exc:
        if exc.code != "InvalidNextTokenException" or progress.reached is None:
            raise
        log.warning(
            "LookupEvents no longer takes the back-fill's token; it reads on from where it got"
        )
        with store.writing() as connection:
            sign_in_backfill.restart_at(connection, progress.reached, now())
            found = sign_in_backfill.progress(connection)
        assert found is not None
        return found
    sign_ins = _sign_ins(page.get("Events", []))
    with store.writing() as connection:
        last_use.record(connection, sign_ins, current_snapshot_id(connection))
        sign_in_backfill.page_read(
            connection,
            next_token=page.get("NextToken"),
            reached=min((s.used_at for s in sign_ins), default=None),
            events=len(sign_ins),
            now=now(),
        )
        found = sign_in_backfill.progress(connection)
    assert found is not None
    return found


def _sign_ins(items: list[dict[str, object]]) -> list[SignIn]:
    found: list[SignIn] = []
    for item in items:
        try:
            sign_in = used_in(from_lookup(item))
        except MalformedEvent as exc:
            log.warning("a CloudTrail event the back-fill cannot read", extra={"error": str(exc)})
            continue
        if sign_in is not None:
            found.append(sign_in)
    return found
