"""Each served resource type is described once, and every side agrees on the list."""

from __future__ import annotations

from pathlib import Path

from connector.served.registry import SERVED_TYPES
from schemas.definitions import RESOURCE_TYPES
from scim.app import create_app
from scim.resources.registry import ENDPOINTS
from scim.views import writes
from tests.simulation import simulator_settings


def test_the_service_serves_every_type_the_connector_digests_and_publishes() -> None:
    served = [endpoint.name for endpoint in ENDPOINTS]
    assert served == [t.name for t in SERVED_TYPES] == list(RESOURCE_TYPES)


def test_each_type_is_served_under_the_path_it_publishes() -> None:
    assert {f"/{e.path}": e.name for e in ENDPOINTS} == {
        t.endpoint: t.name for t in RESOURCE_TYPES.values()
    }
    assert all(e.sql.core_schema == RESOURCE_TYPES[e.name].schema for e in ENDPOINTS)


def test_the_write_views_serve_exactly_the_writable_types(tmp_path: Path) -> None:
    app = create_app(simulator_settings(f"sqlite:///{tmp_path / 'store.sqlite3'}"))
    creating = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and app.view_functions[rule.endpoint] is writes.create
    }
    assert creating == {"/scim/v2/Users", "/scim/v2/Groups"}
    assert {e.name for e in ENDPOINTS if e.writable} == {"User", "Group"}
