"""One feed run's figures: freshness per change, AWS calls per change, quota shares."""

from __future__ import annotations

import math
from typing import Any

from bench.feed_calls import IDENTITY_CENTER, Call, by_operation, quota_shares, throttled, window
from bench.feed_changes import CONSOLE_KEY, Change
from bench.feed_processes import CONNECTOR_KEY


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value at least `share` of them do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _summary(values: list[float]) -> dict[str, float | None]:
    """p50, p95 and max; a change never seen counts as infinitely late (None when it decides)."""

    def shown(value: float) -> float | None:
        return None if math.isinf(value) else round(value, 2)

    if not values:
        return {"p50": None, "p95": None, "max": None}
    return {
        "p50": shown(percentile(values, 0.50)),
        "p95": shown(percentile(values, 0.95)),
        "max": shown(max(values)),
    }


def freshness(changes: list[Change], delivery_delay: float) -> dict[str, Any]:
    late = [math.inf if c.freshness is None else c.freshness for c in changes]
    resolution = [
        c.seen_at - c.unseen_read_at
        for c in changes
        if c.seen_at is not None and c.unseen_read_at is not None
    ]
    return {
        "changes": len(changes),
        "seen": sum(c.seen_at is not None for c in changes),
        "seconds": _summary(late),
        "delivery_delay": delivery_delay,
        "connector_share_seconds": _summary([x - delivery_delay for x in late]),
        "by_kind": {
            kind: _summary([x for c, x in zip(changes, late, strict=True) if c.kind == kind])
            for kind in sorted({c.kind for c in changes})
        },
        "read_resolution_seconds": _summary(resolution),
        "reads": sum(c.reads for c in changes),
        "read_errors": sum(len(c.errors) for c in changes),
    }


def aws_calls(
    calls: list[Call], changes: list[Change], started: float, ended: float, drained: float
) -> dict[str, Any]:
    """Per change: every connector call from the first change until the last was seen.
    Quota shares: the connector's calls while changes were being made (steady state)."""
    applying = window(calls, CONNECTOR_KEY, started, drained)
    steady = window(calls, CONNECTOR_KEY, started, ended)
    count = max(1, len(changes))
    console = [c for c in calls if c.key == CONSOLE_KEY and started <= c.at <= ended]
    return {
        "window_seconds": round(drained - started, 1),
        "calls": len(applying),
        "per_change": round(len(applying) / count, 2),
        "identity_center_per_change": round(
            sum(c.service in IDENTITY_CENTER for c in applying) / count, 2
        ),
        "by_operation": by_operation(applying),
        "throttled": throttled(applying),
        "steady_state_seconds": round(ended - started, 1),
        "quota_shares": quota_shares(steady, ended - started),
        "console_calls": by_operation([c for c in console if c.service in IDENTITY_CENTER]),
    }
