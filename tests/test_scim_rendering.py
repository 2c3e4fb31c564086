"""Documents rendered after a sync are exactly what the API would build per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from connector.connection import connect
from connector.simulator import load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store import tables
from connector.store.store import Store
from connector.sync import run_sync
from connector.tokens import create_token
from scim.app import create_app
from scim.rendering import render_snapshot
from tests.simulation import simulator_settings

AWS_USER = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User"
REQUESTS = (
    "/scim/v2/Users?count=1000",
    "/scim/v2/Users?count=7&startIndex=40&sortBy=name.familyName",
    "/scim/v2/Users?count=50&attributes=userName,emails",
    "/scim/v2/Users?count=50&excludedAttributes=groups",
    f"/scim/v2/Users?count=20&attributes={AWS_USER}:effectiveAccess",
    "/scim/v2/Groups?count=1000",
    "/scim/v2/Entitlements?count=1000",
    "/scim/v2/PermissionSets",
    "/scim/v2/AwsAccounts",
)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FlaskClient, Store, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('render')}/store.sqlite3"
    settings = simulator_settings(url)
    with simulated_aws():
        load_plan(plan_organisation(PRESETS["S"]))
        store = Store.open(url)
        run_sync(settings, store, connect(settings))
    token = create_token(store, "reader", "read")
    yield create_app(settings, store=store).test_client(), store, token
    store.close()


def fetch_all(client: FlaskClient, token: str, user_ids: list[str]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    answers = {path: client.get(path, headers=headers).get_json() for path in REQUESTS}
    for user_id in user_ids:
        path = f"/scim/v2/Users/{user_id}"
        answers[path] = client.get(path, headers=headers).get_json()
    return answers


def test_rendered_documents_equal_documents_built_per_request(
    service: tuple[FlaskClient, Store, str],
) -> None:
    client, store, token = service
    with store.engine.connect() as connection:
        user_ids = list(connection.execute(sa.select(tables.users.c.id).limit(25)).scalars())
    built = fetch_all(client, token, user_ids)
    counts = render_snapshot(store)
    assert counts["User"] == 500 and counts["Group"] == 50
    assert "User" not in render_snapshot(store)  # once per snapshot
    rendered = fetch_all(client, token, user_ids)
    assert rendered == built
    assert all(a["totalResults"] > 0 for k, a in built.items() if "?" in k)


def test_rendered_documents_are_what_is_served(service: tuple[FlaskClient, Store, str]) -> None:
    client, store, token = service
    render_snapshot(store)
    with store.engine.begin() as connection:
        row = connection.execute(
            sa.select(tables.rendered_documents.c.id, tables.rendered_documents.c.document).where(
                tables.rendered_documents.c.resource_type == "Group"
            )
        ).first()
        assert row is not None
        connection.execute(
            tables.rendered_documents.update()
            .where(tables.rendered_documents.c.id == row.id)
            .values(document=row.document.replace('"displayName": "', '"displayName": "RENDERED '))
        )
    body = client.get(f"/scim/v2/Groups/{row.id}", headers={"Authorization": f"Bearer {token}"})
    assert body.get_json()["displayName"].startswith("RENDERED ")


def test_a_later_sync_renders_only_what_changed_and_serves_the_same(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    settings = simulator_settings(url)
    with simulated_aws() as aws:
        manifest = load_plan(plan_organisation(PRESETS["S"]))
        store = Store.open(url)
        run_sync(settings, store, connect(settings))
        first = render_snapshot(store)
        renamed = sorted(manifest.users.values())[0]
        aws.identity_store.update_user(
            IdentityStoreId=aws.identity_store_id,
            UserId=renamed,
            Operations=[{"AttributePath": "displayName", "AttributeValue": "Renamed Person"}],
        )
        run_sync(settings, store, connect(settings))
    second = render_snapshot(store)
    assert first["User"] == 500 and first["Entitlement"] > 0
    # The renamed user, and the groups and entitlements that show its name.
    assert second["User"] == 1
    assert "PermissionSet" not in second and "AwsAccount" not in second
    token = create_token(store, "reader", "read")
    client = create_app(settings, store=store).test_client()
    with store.engine.connect() as connection:
        user_ids = list(connection.execute(sa.select(tables.users.c.id).limit(25)).scalars())
    served = fetch_all(client, token, [renamed, *user_ids])
    with store.engine.begin() as connection:
        connection.execute(tables.rendered_documents.delete())
    built = fetch_all(client, token, [renamed, *user_ids])  # as built per request
    assert differences(served, built) == []
    assert served[f"/scim/v2/Users/{renamed}"]["displayName"] == "Renamed Person"
    store.close()


def differences(served: dict[str, Any], built: dict[str, Any]) -> list[str]:
    """Request, resource and attribute where two sets of answers differ."""
    found = []
    for request, answer in served.items():
        resources = answer.get("Resources", [answer])
        others = {r.get("id"): r for r in built[request].get("Resources", [built[request]])}
        for resource in resources:
            other = others.get(resource.get("id"), {})
            found += [
                f"{request} {resource.get('id')} {key}: {resource.get(key)!r} != {other.get(key)!r}"
                for key in sorted(set(resource) | set(other))
                if resource.get(key) != other.get(key)
            ]
    return found
