"""What a client receives from a real `idc-connector serve` at the edge of the service.

gunicorn parses the request before the app sees it, so these tests go through
it over a socket: SCIM error bodies for what gunicorn refuses itself, request
bodies refused for their size or media type, locations that do not follow the
Host header, and an access log that keeps no secret.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from connector.config import settings_to_env
from connector.connection import connect
from connector.simulator import load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store.store import Store
from connector.sync import run_sync
from connector.tokens import create_token
from scim.app import create_app
from tests.serving import (
    ServeProcess,
    clean_environment,
    raw_exchange,
    serve_process,
    served_app,
    wait_for,
)
from tests.simulation import Synced, simulator_settings, synced

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
# Where clients reach the service, through a proxy that serves it under a path.
PUBLIC_URL = "https://idcc.example.com/connector"


@dataclass(frozen=True)
class Edge:
    serve: ServeProcess
    synced: Synced

    def post(self, path: str, data: bytes | str, **headers: str) -> requests.Response:
        return requests.post(
            f"{self.serve.url}{path}", data=data, headers=self.synced.headers(**headers), timeout=30
        )


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    directory = tmp_path_factory.mktemp("edge")
    found = synced(f"sqlite:///{directory}/store.sqlite3")
    settings = simulator_settings(found.url, public_url=PUBLIC_URL)
    env = clean_environment(settings_to_env(settings))
    with serve_process(env, directory / "serve.log", "--no-sync", "--workers", "1") as served:
        yield Edge(served, found)
    found.store.close()


def assert_scim_error(response: requests.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)


GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
SEARCH = '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": 1}'


def test_a_chunked_body_over_the_limit_is_413(edge: Edge) -> None:
    filter_text = "userName eq " + '"' + "a" * (1024 * 1024) + '"'
    body = SEARCH[:-1] + f', "filter": "{filter_text}"' + "}"

    def chunks() -> Iterator[bytes]:  # a generator: requests sends it chunked
        encoded = body.encode()
        for start in range(0, len(encoded), 65536):
            yield encoded[start : start + 65536]

    response = requests.post(
        f"{edge.serve.url}/scim/v2/Users/.search",
        data=chunks(),
        headers=edge.synced.headers(**{"Content-Type": "application/scim+json"}),
        timeout=30,
    )
    assert_scim_error(response, 413)


def test_a_chunked_body_under_the_limit_is_read_whole(edge: Edge) -> None:
    response = requests.post(
        f"{edge.serve.url}/scim/v2/Users/.search",
        data=iter([SEARCH[:20].encode(), SEARCH[20:].encode()]),
        headers=edge.synced.headers(**{"Content-Type": "application/scim+json"}),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["itemsPerPage"] == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/scim/v2/Users/.search"),
        ("POST", "/scim/v2/Users"),
        ("PUT", "/scim/v2/Groups/some-id"),
        ("PATCH", "/scim/v2/Groups/some-id"),
    ],
)
def test_a_body_that_is_not_json_is_415(edge: Edge, method: str, path: str) -> None:
    response = requests.request(
        method,
        f"{edge.serve.url}{path}",
        data=SEARCH,
        headers=edge.synced.headers(**{"Content-Type": "text/plain"}),
        timeout=30,
    )
    assert_scim_error(response, 415)
    detail = response.json()["detail"]
    assert "text/plain" in detail and "application/scim+json" in detail


@pytest.mark.parametrize(
    "media_type", ["application/scim+json", "application/json", "application/json; charset=utf-8"]
)
def test_json_media_types_are_accepted(edge: Edge, media_type: str) -> None:
    response = edge.post("/scim/v2/Users/.search", SEARCH, **{"Content-Type": media_type})
    assert response.status_code == 200, response.text


def parse_raw(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-cased names) and body of an HTTP/1.1 answer read off a socket."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /scim/v2/Users?filter=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
        (
            b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-Header-%d: a\r\n" % i for i in range(120))
            + b"\r\n",
            431,
        ),
        (b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n", 400),
    ],
    ids=["request-line-too-long", "header-too-large", "too-many-headers", "bad-header-name"],
)
def test_what_gunicorn_refuses_itself_has_a_scim_error_body(
    edge: Edge, request_bytes: bytes, status: int
) -> None:
    answer = raw_exchange(edge.serve.url, request_bytes)
    found, headers, body = parse_raw(answer)
    assert found == status, answer[:300]
    assert headers["content-type"] == "application/scim+json"
    assert int(headers["content-length"]) == len(body)
    document = json.loads(body)
    assert document["schemas"] == [ERROR_SCHEMA]
    assert document["status"] == str(status)
    assert document["detail"]


def test_the_log_keeps_no_token_or_filter_value_from_a_query(edge: Edge) -> None:
    secret = "idcc_" + "S3cr3tT0k3n" * 4
    user_name = "alice.secret@example.com"
    query = f'access_token={secret}&filter=userName eq "{user_name}"&count=1'
    refused = requests.get(f"{edge.serve.url}/scim/v2/Users?{query}", timeout=30)
    assert refused.status_code == 401
    bare = requests.get(f"{edge.serve.url}/scim/v2/Groups?{secret}", timeout=30)
    assert bare.status_code == 401
    served = requests.get(
        f"{edge.serve.url}/scim/v2/Users?{query}", headers=edge.synced.headers(), timeout=30
    )
    assert served.status_code == 200
    # gunicorn quotes a request line it refuses in its own log: not this one.
    raw_exchange(edge.serve.url, f"GET /scim/v2/Users?{query} HTTP/1.1\r\n\r\n".encode())

    def logged() -> str | None:
        text = edge.serve.log_text()
        refused = "Invalid request from ip=127.0.0.1: Invalid HTTP Version: '<redacted>'"
        bare = "GET /scim/v2/Groups?<redacted>=<redacted> HTTP/1.1"
        found = text.count("access_token=<redacted>") >= 2 and refused in text and bare in text
        return text if found else None

    text = wait_for(logged, timeout=30, what="the three requests logged")
    assert secret not in text
    assert "S3cr3t" not in text
    assert "alice.secret" not in text
    assert "GET /scim/v2/Users?access_token=<redacted>&filter=<redacted>&count=<redacted>" in text


def links(document: Any) -> list[str]:
    """Every `$ref` and `location` value in a SCIM document."""
    if isinstance(document, list):
        return [link for item in document for link in links(item)]
    if not isinstance(document, dict):
        return []
    found = [v for k, v in document.items() if k in ("$ref", "location") and isinstance(v, str)]
    return found + [link for v in document.values() for link in links(v)]


@pytest.mark.parametrize(
    "path",
    [
        "/scim/v2/Users?count=5",
        "/scim/v2/Groups?count=5",
        "/scim/v2/Entitlements?count=5",
        "/scim/v2/ServiceProviderConfig",
        "/scim/v2/ResourceTypes",
        "/scim/v2/Schemas",
    ],
)
def test_links_name_the_configured_public_url_whatever_the_host_header(
    edge: Edge, path: str
) -> None:
    response = requests.get(
        f"{edge.serve.url}{path}",
        headers=edge.synced.headers(Host="evil.example", **{"X-Forwarded-Host": "evil.example"}),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    found = links(response.json())
    assert found
    assert all(link.startswith(f"{PUBLIC_URL}/scim/v2/") for link in found), found
    assert "evil.example" not in response.text


def test_a_created_resource_is_located_at_the_public_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    with simulated_aws():
        load_plan(plan_organisation(PRESETS["tiny"]))
        settings = simulator_settings(url, public_url=PUBLIC_URL)
        store = Store.open(url)
        run_sync(settings, store, connect(settings))
        token = create_token(store, "iga", "write")
        app = create_app(settings, store=store)
        try:
            with served_app(app) as base:
                created = requests.post(
                    f"{base}/scim/v2/Groups",
                    json={"schemas": [GROUP], "displayName": "edge-testers"},
                    headers={"Authorization": f"Bearer {token}", "Host": "evil.example"},
                    timeout=60,
                )
        finally:
            app.extensions["idcc_provisioner"].close()
            store.close()
    assert created.status_code == 201, created.text
    group_id = created.json()["id"]
    assert created.headers["Location"] == f"{PUBLIC_URL}/scim/v2/Groups/{group_id}"
    assert created.json()["meta"]["location"] == created.headers["Location"]


def test_without_a_public_url_links_name_the_listening_address(tmp_path: Path) -> None:
    found = synced(f"sqlite:///{tmp_path}/store.sqlite3")
    app = create_app(simulator_settings(found.url), store=found.store)
    try:
        with served_app(app) as base:
            response = requests.get(
                f"{base}/scim/v2/Users?count=3",
                headers=found.headers(Host="evil.example", **FORWARDED),
                timeout=30,
            )
    finally:
        app.extensions["idcc_provisioner"].close()
        found.store.close()
    assert response.status_code == 200
    # No proxy is trusted by default: forwarded headers a client sends are ignored.
    assert all(link.startswith(f"{base}/scim/v2/") for link in links(response.json()))


def test_a_doubled_slash_is_not_redirected_to_the_host_header(edge: Edge) -> None:
    response = requests.get(
        f"{edge.serve.url}/scim/v2//Users",
        headers=edge.synced.headers(Host="evil.example"),
        allow_redirects=False,
        timeout=30,
    )
    assert "evil.example" not in response.headers.get("Location", "")
    assert_scim_error(response, 404)


# What a proxy in front of the service sends, after a client's own attempt at
# X-Forwarded-Host (the proxy appends its value to the client's).
FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example, idcc.example.com",
    "X-Forwarded-Prefix": "/connector",
}


def test_behind_a_trusted_proxy_links_name_what_it_forwarded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    with simulated_aws():
        load_plan(plan_organisation(PRESETS["tiny"]))
        settings = simulator_settings(url, trusted_proxies=1)
        store = Store.open(url)
        run_sync(settings, store, connect(settings))
        token = create_token(store, "iga", "write")
        app = create_app(settings, store=store)
        headers = {"Authorization": f"Bearer {token}", "Host": "10.0.0.7:8080", **FORWARDED}
        try:
            with served_app(app) as base:
                listed = requests.get(f"{base}/scim/v2/Users?count=3", headers=headers, timeout=30)
                created = requests.post(
                    f"{base}/scim/v2/Groups",
                    json={"schemas": [GROUP], "displayName": "proxied"},
                    headers=headers,
                    timeout=60,
                )
        finally:
            app.extensions["idcc_provisioner"].close()
            store.close()
    assert listed.status_code == 200, listed.text
    found = links(listed.json())
    assert found
    assert all(link.startswith(f"{PUBLIC_URL}/scim/v2/") for link in found), found
    assert created.status_code == 201, created.text
    group_id = created.json()["id"]
    assert created.headers["Location"] == f"{PUBLIC_URL}/scim/v2/Groups/{group_id}"
    assert created.json()["meta"]["location"] == created.headers["Location"]
    assert created.headers["X-Operation"].startswith(f"{PUBLIC_URL}/scim/v2/Operations/")
    assert "evil.example" not in listed.text + created.text + str(created.headers)


def test_the_public_url_wins_over_what_a_trusted_proxy_forwarded(tmp_path: Path) -> None:
    found = synced(f"sqlite:///{tmp_path}/store.sqlite3")
    settings = simulator_settings(
        found.url, public_url="https://scim.example.org", trusted_proxies=1
    )
    app = create_app(settings, store=found.store)
    try:
        with served_app(app) as base:
            response = requests.get(
                f"{base}/scim/v2/Groups?count=3", headers=found.headers(**FORWARDED), timeout=30
            )
    finally:
        app.extensions["idcc_provisioner"].close()
        found.store.close()
    assert response.status_code == 200, response.text
    found_links = links(response.json())
    assert found_links
    assert all(link.startswith("https://scim.example.org/scim/v2/") for link in found_links)


def test_serve_behind_a_trusted_proxy_logs_the_forwarded_client_and_links_to_it(
    tmp_path: Path,
) -> None:
    found = synced(f"sqlite:///{tmp_path}/store.sqlite3")
    settings = simulator_settings(found.url, trusted_proxies=1)
    env = clean_environment(settings_to_env(settings))
    with serve_process(env, tmp_path / "serve.log", "--no-sync", "--workers", "1") as served:
        headers = found.headers(**FORWARDED, **{"X-Forwarded-For": "203.0.113.9"})
        response = requests.get(f"{served.url}/scim/v2/Groups?count=2", headers=headers, timeout=30)

        def logged() -> list[dict[str, Any]]:
            return [
                r
                for r in served.log_records()
                if r.get("logger") == "gunicorn.access" and r.get("path", "").startswith("/scim")
            ]

        (access,) = wait_for(logged, timeout=30, what="the request in the access log")
    found.store.close()
    assert response.status_code == 200, response.text
    assert all(link.startswith(f"{PUBLIC_URL}/scim/v2/") for link in links(response.json()))
    assert access["client"] == "203.0.113.9"
