"""Each served resource type is described once, and every side agrees on the list."""

from __future__ import annotations

from connector.served.registry import SERVED_TYPES
from schemas.definitions import RESOURCE_TYPES
from scim.resources.registry import BY_PATH, ENDPOINTS, writable_by_path
from scim.writes.views import WRITABLE


def test_the_service_serves_every_type_the_connector_digests_and_publishes() -> None:
    served = [endpoint.name for endpoint in ENDPOINTS]
    assert served == [t.name for t in SERVED_TYPES] == list(RESOURCE_TYPES)


def test_each_type_is_served_under_the_path_it_publishes() -> None:
    assert {f"/{path}": e.name for path, e in BY_PATH.items()} == {
        t.endpoint: t.name for t in RESOURCE_TYPES.values()
    }
    assert all(e.sql.core_schema == RESOURCE_TYPES[e.name].schema for e in ENDPOINTS)


def test_the_write_views_serve_exactly_the_writable_types() -> None:
    assert writable_by_path() == WRITABLE == {"Users": "User", "Groups": "Group"}
