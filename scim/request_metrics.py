"""What the web workers tell Prometheus: requests by route, method and status, their
latency, and the requests refused for their token.

Each worker counts its own requests; under `serve` the counts go to the
metrics folder (`connector.metrics_dir`) and a scrape sums every worker's.
Routes are Flask's rules (`/scim/v2/Users/<resource_id>`), never the path a
client sent, and methods outside HTTP's own are "other": labels a client
chooses would make a series per request.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request
from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "idcc_http_requests",
    "HTTP requests answered, by route, method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "idcc_http_request_duration_seconds",
    "How long HTTP requests took to answer, by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
AUTH_FAILURES = Counter(
    "idcc_auth_failures",
    "Requests refused for their token: missing, invalid (unknown or revoked) or "
    "insufficient_scope.",
    ["reason"],
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # the route of a request no rule matched (a 404 or 405)


def install_request_metrics(app: Flask) -> None:
    """Count every answer, refusals included. Installed before every other hook: its
    clock starts first, and its count (after_request hooks run in reverse) sees the
    answer as it finally leaves."""

    @app.before_request
    def start_clock() -> None:
        g.idcc_started = time.perf_counter()

    @app.after_request
    def count(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else UNMATCHED
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        started: float = g.get("idcc_started", time.perf_counter())
        REQUEST_SECONDS.labels(route, method).observe(time.perf_counter() - started)
        return response


def count_auth_failure(reason: str) -> None:
    AUTH_FAILURES.labels(reason).inc()
