"""What a sync tells Prometheus: syncs by outcome, their duration, AWS calls and throttles.

Recorded by the process that syncs; under `serve` that is the sync process,
whose values the web workers read from the metrics folder at each scrape
(`connector.metrics_dir`). Only `idc-connector sync` imports this module, and
only when it runs, so that prometheus_client is never imported before `serve`
has named that folder.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from connector.call_stats import CallStats

SYNCS = Counter("idcc_syncs", "Full syncs ended, by outcome (succeeded, failed).", ["outcome"])
SYNC_SECONDS = Histogram(
    "idcc_sync_duration_seconds",
    "How long full syncs took, by outcome.",
    ["outcome"],
    # From a tiny organisation to the hour a large one can take at AWS's quotas.
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200),
)
AWS_CALLS = Counter(
    "idcc_sync_aws_calls", "AWS API calls full syncs made, by operation.", ["operation"]
)
AWS_THROTTLES = Counter(
    "idcc_sync_aws_throttles",
    "Throttled AWS answers full syncs received (then retried), by operation.",
    ["operation"],
)


def record_sync(outcome: str, seconds: float, stats: CallStats) -> None:
    """Count one sync that ended, with what it asked of AWS (`stats`, botocore's own count)."""
    SYNCS.labels(outcome).inc()
    SYNC_SECONDS.labels(outcome).observe(seconds)
    calls, throttles = stats.by_operation()
    for operation, count in calls.items():
        AWS_CALLS.labels(operation).inc(count)
    for operation, count in throttles.items():
        AWS_THROTTLES.labels(operation).inc(count)
