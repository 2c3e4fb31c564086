"""The figures of one sync run, from its JSON summary, its store and the seed manifest.

The throttle floor is the least time AWS's quotas allow for the calls the sync
made: each quota passes 20 requests a second (Organizations: its own rate), so
the sync cannot finish before its busiest quota has passed all of its calls.
wall / floor says how close the sync comes to that; 1.0 is the ideal.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.sync_plan import Run
from bench.sync_processes import SyncOutcome
from bench.sync_stored import load_manifest, read_stored, stored_versus_manifest
from connector.records import Snapshot
from connector.walk_plan import WalkChoice, page_aware_bound, snapshot_call_bound

if TYPE_CHECKING:
    from connector.simulator.manifest import Manifest

# The quotas of the simulator's --quotas aws (connector/simulator/throttling.py).
SSO_ADMIN_RPS = 20.0
IDENTITYSTORE_RPS = 20.0  # per operation
ORGANIZATIONS_RPS = 10.0


def _quota_of(key: str) -> tuple[str, float] | None:
    """The quota a "service:Operation" call counts against, and its rate; None for STS."""
    service, operation = key.split(":", 1)
    if service == "sso-admin":
        return "sso-admin", SSO_ADMIN_RPS
    if service == "identitystore":
        return f"identitystore:{operation}", IDENTITYSTORE_RPS
    if service == "organizations":
        return "organizations", ORGANIZATIONS_RPS
    return None


def throttle_floor(calls: dict[str, int]) -> dict[str, Any]:
    """Seconds each quota needs for `calls` ("service:Operation" -> count); the floor is the max."""
    seconds: defaultdict[str, float] = defaultdict(float)
    for key, count in calls.items():
        quota = _quota_of(key)
        if quota is not None:
            seconds[quota[0]] += count / quota[1]
    busiest = max(seconds, key=lambda name: seconds[name]) if seconds else None
    return {
        "seconds": round(seconds[busiest], 2) if busiest else 0.0,
        "busiest_quota": busiest,
        "by_quota": {name: round(s, 2) for name, s in sorted(seconds.items())},
    }


def aws_figures(summary: dict[str, Any]) -> dict[str, Any]:
    aws = summary["aws"]
    attempts = int(aws["http_attempts"])
    throttles = int(aws["total_throttles"])
    return {
        "calls_by_operation": aws["calls"],
        "total_calls": int(aws["total_calls"]),
        "http_attempts": attempts,
        "throttled": throttles,
        "throttled_pct": round(100.0 * throttles / attempts, 3) if attempts else 0.0,
        "paced_seconds": aws.get("paced_seconds"),
        "walk": summary.get("walk"),
        "sync_seconds": summary.get("seconds"),
    }


def bound_figures(
    summary: dict[str, Any], snapshot: Snapshot, organizational_units: int
) -> dict[str, Any]:
    """Issue 5's call bound and the page-aware one (docs/sync-cost.md), and whether each held.

    Both from what the sync stored, and the seeded OUs (the snapshot holds none
    without an account) for the walk of the organization's tree; the page-aware
    bound also counts every further page of 100 that the sync's listings
    needed, for the walk it took.
    """
    calls = int(summary["aws"]["total_calls"])
    bound = snapshot_call_bound(snapshot, organizational_units)
    page_aware = page_aware_bound(snapshot, WalkChoice(**summary["walk"]), organizational_units)
    return {
        "call_bound": bound,
        "within_bound": calls <= bound,
        "page_aware_bound": page_aware,
        "within_page_aware_bound": calls <= page_aware,
    }


def run_result(
    run: Run, outcome: SyncOutcome, directory: Path, manifest: Manifest | None = None
) -> dict[str, Any]:
    """Every figure of one run, from the sync's outcome and the files in its directory.

    ``manifest``: the run's seed manifest if already loaded (`load_manifest`).
    """
    result: dict[str, Any] = {
        "run": run.label,
        "dataset": run.dataset,
        "profile": run.profile.name,
        "latency_ms": run.profile.latency_ms,
        "quotas": run.profile.quotas,
        "paced": run.profile.paced,
        "returncode": outcome.returncode,
        "wall_seconds": outcome.wall_seconds,
        "cpu_seconds": outcome.cpu_seconds,
        "peak_rss_mb": outcome.peak_rss_mb,
        "phases": outcome.phases,
        "timeline": outcome.timeline,
        "ok": outcome.summary is not None,
    }
    if outcome.summary is None:
        result["error"] = outcome.error_tail
        return result
    floor = throttle_floor(outcome.summary["aws"]["calls"])
    result.update(aws_figures(outcome.summary))
    result["counts"] = outcome.summary["counts"]
    result["floor"] = floor
    result["wall_over_floor"] = (
        round(outcome.wall_seconds / floor["seconds"], 3) if floor["seconds"] else None
    )
    snapshot = read_stored(directory)
    manifest = manifest or load_manifest(directory)
    result["stored"] = stored_versus_manifest(snapshot, manifest)
    if snapshot is not None:
        result.update(bound_figures(outcome.summary, snapshot, len(manifest.organizational_units)))
    return result
