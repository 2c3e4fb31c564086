"""GET /metrics: Prometheus' text format, for any valid token (a `metrics` token is made
for it: it reads nothing else, scim.auth).

What processes counted (`scim.request_metrics`, `connector.sync_metrics`) comes
from prometheus_client: under `serve` summed over every worker and the sync
process from the metrics folder (`connector.metrics_dir`), elsewhere (the
tests' apps) this process's own. What the store holds is read at the scrape
(`scim.store_metrics`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from flask import Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from connector.config import Settings
from connector.metrics_dir import VARIABLE
from connector.store.store import Store
from scim.auth import serves_metrics
from scim.store_metrics import StoreCollector


class _Exposition(Collector):
    """The process counters and the store's state, collected in one scrape."""

    def __init__(self, *parts: Collector) -> None:
        self._parts = parts

    def collect(self) -> Iterator[Metric]:
        for part in self._parts:
            yield from part.collect()


def install_metrics(app: Flask, store: Store, settings: Settings, replica: str | None) -> None:
    folder = os.environ.get(VARIABLE)
    counted: Collector = MultiProcessCollector(None, path=folder) if folder else REGISTRY
    exposition = _Exposition(counted, StoreCollector(store, settings, replica))

    @app.get("/metrics")
    @serves_metrics
    def metrics() -> Response:
        return Response(generate_latest(exposition), content_type=CONTENT_TYPE_LATEST)
