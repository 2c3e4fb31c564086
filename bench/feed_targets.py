"""Issue 11's targets for the change feed, judged on the measured runs: met, MISSED or not measured.

The checks are the issue's, as written; a run that misses one says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[dict[str, Any]], bool]


def _p95(run: dict[str, Any], figure: str) -> float:
    value = run["freshness"][figure]["p95"]
    return float("inf") if value is None else float(value)


def _sso_admin_share(run: dict[str, Any]) -> float:
    shares = {s["quota"]: s["share"] for s in run["aws"]["quota_shares"]}
    return float(shares["sso-admin"])


# (target, the sources it applies to, check)
TARGETS: list[tuple[str, tuple[str, ...], Check]] = [
    (
        "SQS, 2 s delivery: p95 freshness <= 5 s",
        ("sqs",),
        lambda r: _p95(r, "seconds") <= 5.0,
    ),
    (
        "SQS: the connector's own share (freshness - delivery delay), p95 <= 3 s",
        ("sqs",),
        lambda r: _p95(r, "connector_share_seconds") <= 3.0,
    ),
    (
        "LookupEvents: p95 freshness <= delivery delay + 60 s",
        ("cloudtrail",),
        lambda r: _p95(r, "seconds") <= r["freshness"]["delivery_delay"] + 60.0,
    ),
    (
        "steady state at 1 change/s: <= 5% of the sso-admin quota",
        ("sqs", "cloudtrail"),
        lambda r: _sso_admin_share(r) <= 0.05,
    ),
    (
        "<= 3 AWS calls per change on average",
        ("sqs", "cloudtrail"),
        lambda r: r["aws"]["per_change"] <= 3.0,
    ),
    (
        "reconciliation finds 0 missed changes",
        ("sqs", "cloudtrail"),
        lambda r: r["reconciliation"].get("ok") is True and r["reconciliation"]["missed"] == 0,
    ),
]


def judge(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    verdicts = []
    for target, applies, check in TARGETS:
        judged = [r for r in runs if r["source"] in applies and r.get("ok")]
        failing = [r["source"] for r in judged if not check(r)]
        status = "not measured" if not judged else ("MISSED" if failing else "met")
        verdicts.append({"target": target, "status": status, "failing": failing})
    return verdicts
