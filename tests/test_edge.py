"""What a client receives from a real `idc-connector serve` at the edge of the service.

gunicorn parses the request before the app sees it, so these tests go through
it over a socket: SCIM error bodies for what gunicorn refuses itself, request
bodies refused for their size or media type, locations that do not follow the
Host header, and an access log that keeps no secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from connector.config import settings_to_env
from tests.serving import ServeProcess, clean_environment, serve_process
from tests.simulation import Synced, simulator_settings, synced

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


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
    env = clean_environment(settings_to_env(simulator_settings(found.url)))
    with serve_process(env, directory / "serve.log", "--no-sync", "--workers", "1") as served:
        yield Edge(served, found)
    found.store.close()


def assert_scim_error(response: requests.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)


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


@pytest.mark.parametrize(
    "media_type", ["application/scim+json", "application/json", "application/json; charset=utf-8"]
)
def test_json_media_types_are_accepted(edge: Edge, media_type: str) -> None:
    response = edge.post("/scim/v2/Users/.search", SEARCH, **{"Content-Type": media_type})
    assert response.status_code == 200, response.text
