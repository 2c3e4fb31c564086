"""/metrics, scraped from a real `serve` (two gunicorn workers and the sync process) and
read with prometheus_client's own parser: what the test did is what it counts.

Requests land on either worker and the sync runs in a third process, so each
count asserted here is the sum prometheus_client's multiprocess mode makes of
several processes' files. The simulated Identity Center runs as its own
process, with AWS's quotas (the sync is throttled) and account assignments
that stay in progress (a grant stays in flight).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from connector.config import settings_to_env
from connector.simulator import Manifest
from connector.store.store import Store
from connector.tokens import create_token
from scim.demo import start_simulator
from tests.live import PATCH_OP, grant_op
from tests.serving import ServeProcess, answers_ok, clean_environment, serve_process, wait_for
from tests.simulation import simulator_settings

USERS_ROUTE = "/scim/v2/Users"
# Every sample of a scrape: (name, labels) -> value.
Scraped = dict[tuple[str, frozenset[tuple[str, str]]], float]


@dataclass(frozen=True)
class Served:
    process: ServeProcess
    store: Store
    manifest: Manifest
    tokens: dict[str, str]  # scope -> token

    def get(self, path: str, scope: str | None = None, token: str | None = None) -> int:
        token = token or (self.tokens[scope] if scope else None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(f"{self.process.url}{path}", headers=headers, timeout=30).status_code

    def patch_user(self, user: str, operation: dict[str, object]) -> int:
        answer = requests.patch(
            f"{self.process.url}/scim/v2/Users/{user}",
            json={"schemas": [PATCH_OP], "Operations": [operation]},
            headers={"Authorization": f"Bearer {self.tokens['write']}"},
            timeout=30,
        )
        return answer.status_code

    def scrape(self) -> Scraped:
        """Every sample of /metrics by name and labels, as the library parses them."""
        answer = requests.get(
            f"{self.process.url}/metrics",
            headers={"Authorization": f"Bearer {self.tokens['metrics']}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["Content-Type"].startswith("text/plain; version=")
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(answer.text)
            for sample in family.samples
        }


def value(scraped: Scraped, name: str, **labels: str) -> float | None:
    return scraped.get((name, frozenset(labels.items())))


def by_operation(scraped: Scraped, name: str) -> dict[str, float]:
    return {dict(labels)["operation"]: v for (n, labels), v in scraped.items() if n == name}


def scrape_until(served: Served, holds: Callable[[Scraped], bool], what: str) -> Scraped:
    """The first scrape in which `holds` is true (what the test did may still be under way)."""

    def scraped() -> Scraped | None:
        found = served.scrape()
        return found if holds(found) else None

    return wait_for(scraped, timeout=120, what=what)


@pytest.fixture(scope="module")
def served(store_url_module: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("metrics")
    simulator, endpoint = start_simulator(
        "tiny", folder / "manifest.json", "--quotas", "aws", "--assignment-delay", "600"
    )
    store = Store.open(store_url_module)
    tokens = {
        scope: create_token(store, f"test-{scope}", scope) for scope in ("read", "write", "metrics")
    }
    settings = simulator_settings(
        store_url_module, aws_endpoint_url=endpoint, write_wait="0", sync_interval="1h"
    )
    env = clean_environment(settings_to_env(settings))
    try:
        with serve_process(env, folder / "serve.log", "--workers", "2") as process:
            wait_for(lambda: answers_ok(f"{process.url}/ready"), timeout=120, what="a first sync")
            yield Served(process, store, Manifest.load(folder / "manifest.json"), tokens)
    finally:
        store.close()
        simulator.terminate()
        simulator.wait(timeout=30)


def test_requests_are_counted_by_route_method_and_status_over_both_workers(
    served: Served,
) -> None:
    for _ in range(7):
        assert served.get(f"{USERS_ROUTE}?count=1", "read") == 200
    for _ in range(3):
        assert served.get("/scim/v2/Schemas") == 401
    for _ in range(2):
        assert served.get("/scim/v2/Schemas", token="idcc_not-a-token") == 401
    assert served.get("/scim/v2/ResourceTypes", "metrics") == 403

    scraped = served.scrape()

    get_users = {"route": USERS_ROUTE, "method": "GET"}
    assert value(scraped, "idcc_http_requests_total", **get_users, status="200") == 7
    assert value(scraped, "idcc_http_request_duration_seconds_count", **get_users) == 7
    assert value(scraped, "idcc_http_request_duration_seconds_bucket", **get_users, le="+Inf") == 7
    schemas = {"route": "/scim/v2/Schemas", "method": "GET"}
    assert value(scraped, "idcc_http_requests_total", **schemas, status="401") == 5
    assert value(scraped, "idcc_auth_failures_total", reason="missing") == 3
    assert value(scraped, "idcc_auth_failures_total", reason="invalid") == 2
    assert value(scraped, "idcc_auth_failures_total", reason="insufficient_scope") == 1


def test_the_sync_is_counted_with_its_duration_aws_calls_and_throttles(served: Served) -> None:
    scraped = scrape_until(
        served,
        lambda s: value(s, "idcc_syncs_total", outcome="succeeded") is not None,
        "a sync counted in /metrics",
    )
    (record,) = served.store.syncs()
    assert record.outcome == "succeeded" and record.aws is not None
    assert value(scraped, "idcc_syncs_total", outcome="succeeded") == 1
    assert value(scraped, "idcc_sync_duration_seconds_count", outcome="succeeded") == 1
    assert by_operation(scraped, "idcc_sync_aws_calls_total") == record.aws["calls"]
    assert by_operation(scraped, "idcc_sync_aws_throttles_total") == record.aws["throttles"]
    snapshot_age = value(scraped, "idcc_snapshot_age_seconds")
    assert snapshot_age is not None and snapshot_age >= 0


def test_write_operations_are_shown_by_status_with_the_oldest_in_flight(served: Served) -> None:
    users = sorted(served.manifest.users.values())
    held = served.manifest.expected_assignments()
    account, arn = next(
        (account, arn)
        for account in sorted(served.manifest.accounts.values())
        for arn in sorted(served.manifest.permission_sets.values())
        if (account, arn, "USER", users[0]) not in held
    )
    # A grant AWS keeps in progress (the simulator's assignment delay), and an
    # attribute change AWS makes at once.
    assert served.patch_user(users[0], grant_op(account, arn)) == 202
    assert served.patch_user(users[1], {"op": "replace", "path": "title", "value": "Auditor"}) in (
        200,
        202,
    )

    scraped = scrape_until(
        served,
        lambda s: (
            value(s, "idcc_write_operations", status="succeeded") == 1
            and (value(s, "idcc_write_oldest_open_age_seconds") or 0) > 0
        ),
        "one write succeeded, one in flight for a while",
    )
    in_flight = sum(
        value(scraped, "idcc_write_operations", status=status) or 0
        for status in ("accepted", "in_progress")
    )
    assert in_flight == 1
    assert value(scraped, "idcc_write_operations", status="failed") == 0
    assert value(scraped, "idcc_store_readable") == 1


def test_metrics_need_a_token_and_a_metrics_token_reads_nothing_else(served: Served) -> None:
    assert served.get("/metrics") == 401
    assert served.get("/metrics", "metrics") == 200
    assert served.get("/metrics", "read") == 200
    assert served.get(f"{USERS_ROUTE}?count=1", "metrics") == 403
