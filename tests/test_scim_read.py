"""The SCIM read API over HTTP, against a synced simulated organisation, on both stores.

Expected results are computed from the seed's manifest, never from the API
itself, so a wrong filter or a lost page shows as a difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from connector.connection import connect
from connector.record_keys import application_entitlement_id, entitlement_id
from connector.records import Snapshot
from connector.simulator import Manifest, load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store.store import Store
from connector.sync import run_sync
from connector.tokens import create_token
from scim.app import create_app
from tests.simulation import simulator_settings

AWS_USER = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User"


@dataclass
class Served:
    client: FlaskClient
    token: str
    manifest: Manifest
    snapshot: Snapshot
    store: Store

    def get(self, url: str, **headers: str) -> Any:
        return self.client.get(url, headers={"Authorization": f"Bearer {self.token}", **headers})

    def ok(self, url: str) -> Any:
        response = self.get(url)
        assert response.status_code == 200, response.get_json()
        assert response.mimetype == "application/scim+json"
        return response.get_json()

    def ids(self, filter_text: str, endpoint: str = "Users") -> set[str]:
        body = self.ok(f"/scim/v2/{endpoint}?count=1000&filter={quote(filter_text)}")
        assert body["totalResults"] == len(body["Resources"])
        return {resource["id"] for resource in body["Resources"]}


@pytest.fixture(scope="module")
def served(store_url_module: str) -> Iterator[Served]:
    url = store_url_module
    with simulated_aws():
        manifest = load_plan(plan_organisation(PRESETS["S"]))
        settings = simulator_settings(url)
        store = Store.open(url)
        run_sync(settings, store, connect(settings))
    snapshot = store.read_snapshot()
    assert snapshot is not None
    app = create_app(settings, store=store)
    yield Served(
        app.test_client(), create_token(store, "reader", "read"), manifest, snapshot, store
    )
    store.close()


def page_through(served: Served, endpoint: str, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    start = 1
    while True:
        body = served.ok(f"/scim/v2/{endpoint}?startIndex={start}&count={count}")
        found.extend(body["Resources"])
        assert body["itemsPerPage"] == len(body["Resources"])
        if start + count > body["totalResults"]:
            assert len(found) == body["totalResults"]
            return found
        start += count


# -- aggregation: everything exactly once ------------------------------------------------


@pytest.mark.parametrize("count", [7, 100, 333])
def test_every_user_appears_exactly_once_across_pages(served: Served, count: int) -> None:
    users = page_through(served, "Users", count)
    ids = [u["id"] for u in users]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(served.manifest.users.values())


def test_every_group_membership_and_assignment_appears_exactly_once(served: Served) -> None:
    groups = page_through(served, "Groups", 13)
    members = [(g["id"], m["value"]) for g in groups for m in g.get("members", [])]
    assert len(members) == len(set(members))
    assert set(members) == served.manifest.expected_memberships()

    users = page_through(served, "Users", 77)
    user_groups = {(g["value"], u["id"]) for u in users for g in u.get("groups", [])}
    assert user_groups == served.manifest.expected_memberships()

    held = [(e["value"], "USER", u["id"]) for u in users for e in u.get("entitlements", [])] + [
        (e["value"], "GROUP", g["id"])
        for g in groups
        for e in g.get(
            "urn:identity-center-connector:scim:schemas:extension:aws:2.0:Group", {}
        ).get("entitlements", [])
    ]
    assert len(held) == len(set(held))
    expected = {
        (entitlement_id(account, arn), kind, principal)
        for account, arn, kind, principal in served.manifest.expected_assignments()
    } | {
        (application_entitlement_id(arn), kind, principal)
        for arn, kind, principal in served.manifest.expected_application_assignments()
    }
    assert set(held) == expected


def test_entitlements_cover_every_account_pair_and_every_application(served: Served) -> None:
    entitlements = page_through(served, "Entitlements", 50)
    ids = [e["id"] for e in entitlements]
    assert len(ids) == len(set(ids))
    accounts = {a.id for a in served.snapshot.accounts}
    arns = {p.arn for p in served.snapshot.permission_sets}
    applications = {application_entitlement_id(a.arn): a for a in served.snapshot.applications}
    assert applications
    assert set(ids) == {entitlement_id(a, p) for a in accounts for p in arns} | set(applications)
    provisioned = {(p.account_id, p.permission_set_arn) for p in served.snapshot.provisioned_pairs}
    for entitlement in entitlements:
        if entitlement["type"] == "application":
            application = applications[entitlement["id"]]
            assert entitlement["displayName"] == application.name
            assert entitlement["application"] == {
                "arn": application.arn,
                "name": application.name,
                "providerArn": application.provider_arn,
                "status": application.status,
                "assignmentRequired": application.assignment_required,
                **({"description": application.description} if application.description else {}),
            }
            assert "provisioned" not in entitlement and "permissionSet" not in entitlement
            assert entitlement.get("account", {}).get("value") == application.account_id
            continue
        assert entitlement["type"] == "permissionSet"
        pair = (entitlement["account"]["value"], entitlement["permissionSet"]["arn"])
        assert entitlement["provisioned"] == (pair in provisioned)
    holders = {
        (e["id"], m["type"].upper(), m["value"]) for e in entitlements for m in e.get("members", [])
    }
    assert holders == {
        (entitlement_id(a, p), kind, principal)
        for a, p, kind, principal in served.manifest.expected_assignments()
    } | {
        (application_entitlement_id(arn), kind, principal)
        for arn, kind, principal in served.manifest.expected_application_assignments()
    }


def test_entitlement_display_name_names_set_account_and_id(served: Served) -> None:
    account = next(a for a in served.snapshot.accounts if a.name)
    ps = served.snapshot.permission_sets[0]
    body = served.ok(f"/scim/v2/Entitlements/{entitlement_id(account.id, ps.arn)}")
    assert body["displayName"] == f"{ps.name} @ {account.name} ({account.id})"


# -- filters ------------------------------------------------------------------------------


def test_filters_on_identifiers(served: Served) -> None:
    user = served.snapshot.users[3]
    assert served.ids(f'userName eq "{user.user_name.upper()}"') == {user.id}
    assert served.ids(f'id eq "{user.id}"') == {user.id}
    with_external = next(u for u in served.snapshot.users if u.external_ids)
    assert served.ids(f'externalId eq "{with_external.external_ids[0].id}"') == {with_external.id}
    assert served.ids('userName eq "nobody@nowhere.example"') == set()


def test_value_path_filters(served: Served) -> None:
    user = next(u for u in served.snapshot.users if u.emails)
    email = user.emails[0]
    expected = {
        u.id
        for u in served.snapshot.users
        if any(e.value.lower() == email.value.lower() and e.type == "work" for e in u.emails)
    }
    assert served.ids(f'emails[type eq "work"].value eq "{email.value}"') == expected
    assert served.ids(f'emails[type eq "work" and value eq "{email.value}"]') == expected
    domain = "@example.com"
    assert served.ids(f'emails[type eq "work" and value co "{domain}"]') == {
        u.id
        for u in served.snapshot.users
        if any(e.type == "work" and domain in e.value for e in u.emails)
    }
    assert served.ids("emails pr") == {u.id for u in served.snapshot.users if u.emails}


def test_string_operators(served: Served) -> None:
    users = served.snapshot.users
    prefix = users[0].display_name[:2]  # type: ignore[index]
    assert served.ids(f'displayName sw "{prefix}"') == {
        u.id for u in users if u.display_name and u.display_name.lower().startswith(prefix.lower())
    }
    assert served.ids('userName ew ".COM"') == {
        u.id for u in users if u.user_name.lower().endswith(".com")
    }
    assert served.ids('title co "engineer"') == {
        u.id for u in users if u.title and "engineer" in u.title.lower()
    }
    assert served.ids('title ne "Site Reliability Engineer"') == {
        u.id for u in users if (u.title or "").lower() != "site reliability engineer"
    }
    assert served.ids("title pr") == {u.id for u in users if u.title}
    assert served.ids('userName gt "m"') == {u.id for u in users if u.user_name.lower() > "m"}


def test_and_binds_tighter_than_or_and_not_negates(served: Served) -> None:
    users = served.snapshot.users
    title = "Site Reliability Engineer"

    def has_title(u: Any) -> bool:
        return (u.title or "").lower() == title.lower()

    # a lacks the title, b has it: the two readings of "a or b and t" differ on a.
    a = next(u for u in users if not has_title(u))
    b = next(u for u in users if has_title(u))
    expression = (
        f'userName eq "{a.user_name}" or userName eq "{b.user_name}" and title eq "{title}"'
    )
    assert served.ids(expression) == {a.id, b.id}  # a or (b and t)
    grouped = f'(userName eq "{a.user_name}" or userName eq "{b.user_name}") and title eq "{title}"'
    assert served.ids(grouped) == {b.id}
    assert served.ids(f'not (title eq "{title}")') == {u.id for u in users if not has_title(u)}
    assert served.ids(f'not (userName eq "{a.user_name}") and id eq "{a.id}"') == set()
    assert served.ids(f'not (title pr) or id eq "{b.id}"') == {
        u.id for u in users if not u.title
    } | {b.id}


def test_case_exact_attributes_compare_exactly(served: Served) -> None:
    user = served.snapshot.users[0]
    assert served.ids(f'id eq "{user.id.upper()}"') == (
        set() if user.id != user.id.upper() else {user.id}
    )


def test_group_and_membership_filters(served: Served) -> None:
    group = next(g for g in served.snapshot.groups)
    members = {m.user_id for m in served.snapshot.memberships if m.group_id == group.id}
    assert served.ids(f'groups.value eq "{group.id}"') == members
    assert served.ids(f'displayName eq "{group.display_name}"', "Groups") == {group.id}
    member = next(iter(members)) if members else None
    if member:
        assert group.id in served.ids(f'members.value eq "{member}"', "Groups")


def test_unknown_attributes_and_bad_syntax_are_invalid_filters(served: Served) -> None:
    for text in (
        'nosuch eq "x"',
        "userName eq",
        "userName eq 1 or",
        'emails[nosuch eq "x"]',
        'description eq "x"',
    ):
        response = served.get(f"/scim/v2/Users?filter={quote(text)}")
        assert response.status_code == 400, text
        body = response.get_json()
        assert body["scimType"] == "invalidFilter"
        assert body["status"] == "400"
        assert "Traceback" not in body["detail"]


def test_numbers_of_several_digits_parse(served: Served) -> None:
    # scim2-filter-parser 0.7.0 rejected numbers of more than one digit.
    response = served.get(f"/scim/v2/Users?filter={quote('userName eq 12345')}")
    assert response.status_code == 400
    assert "string" in response.get_json()["detail"]


def test_post_search_equals_get(served: Served) -> None:
    user = served.snapshot.users[5]
    response = served.client.post(
        "/scim/v2/Users/.search",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": f'userName eq "{user.user_name}"',
            "attributes": ["userName"],
        },
        headers={"Authorization": f"Bearer {served.token}"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert [r["id"] for r in body["Resources"]] == [user.id]
    assert set(body["Resources"][0]) == {"schemas", "id", "userName"}


def test_delta_aggregation_by_last_modified(served: Served) -> None:
    everyone = served.ids('meta.lastModified gt "2000-01-01T00:00:00Z"')
    assert everyone == {u.id for u in served.snapshot.users}
    assert served.ids('meta.lastModified gt "2999-01-01T00:00:00Z"') == set()


def test_sorting_and_projection(served: Served) -> None:
    body = served.ok(
        "/scim/v2/Users?sortBy=userName&sortOrder=descending&count=5&attributes=userName"
    )
    names = [r["userName"] for r in body["Resources"]]
    assert (
        names
        == sorted((u.user_name for u in served.snapshot.users), key=str.lower, reverse=True)[:5]
    )
    assert all(set(r) == {"schemas", "id", "userName"} for r in body["Resources"])
    body = served.ok(f"/scim/v2/Users?count=3&excludedAttributes=groups,{AWS_USER}:effectiveAccess")
    assert all(
        "groups" not in r and "effectiveAccess" not in r.get(AWS_USER, {})
        for r in body["Resources"]
    )


# -- effective access -----------------------------------------------------------------------


def test_effective_access_is_direct_plus_group_assignments_with_provenance(served: Served) -> None:
    snapshot = served.snapshot
    groups_of: dict[str, set[str]] = {}
    for m in snapshot.memberships:
        groups_of.setdefault(m.user_id, set()).add(m.group_id)
    checked = 0
    routes_to_applications: set[str] = set()
    # The first users, and some holding an application directly or through a group.
    app_holders = {(a.principal_type, a.principal_id) for a in snapshot.application_assignments}
    wanted = [
        *snapshot.users[:60],
        *[u for u in snapshot.users if ("USER", u.id) in app_holders][:5],
        *[
            u
            for u in snapshot.users
            if any(("GROUP", g) in app_holders for g in groups_of.get(u.id, ()))
        ][:5],
    ]
    for user in dict.fromkeys(wanted):
        expected: dict[str, set[tuple[str, str | None]]] = {}
        for a in snapshot.assignments:
            key = entitlement_id(a.account_id, a.permission_set_arn)
            if a.principal_type == "USER" and a.principal_id == user.id:
                expected.setdefault(key, set()).add(("direct", None))
            if a.principal_type == "GROUP" and a.principal_id in groups_of.get(user.id, set()):
                expected.setdefault(key, set()).add(("group", a.principal_id))
        for aa in snapshot.application_assignments:
            key = application_entitlement_id(aa.application_arn)
            if aa.principal_type == "USER" and aa.principal_id == user.id:
                expected.setdefault(key, set()).add(("direct", None))
                routes_to_applications.add("direct")
            if aa.principal_type == "GROUP" and aa.principal_id in groups_of.get(user.id, set()):
                expected.setdefault(key, set()).add(("group", aa.principal_id))
                routes_to_applications.add("group")
        body = served.ok(f"/scim/v2/Users/{user.id}?attributes={AWS_USER}:effectiveAccess")
        routes = [
            (e["value"], e["via"], e.get("viaGroup"))
            for e in body[AWS_USER].get("effectiveAccess", [])
        ]
        assert len(routes) == len(set(routes))
        got: dict[str, set[tuple[str, str | None]]] = {}
        for value, via, group in routes:
            got.setdefault(value, set()).add((via, group))
        assert got == expected, user.id
        checked += bool(expected)
    assert checked > 10
    assert routes_to_applications == {"direct", "group"}


def test_effective_access_is_returned_only_when_requested(served: Served) -> None:
    holder = next(a.principal_id for a in served.snapshot.assignments if a.principal_type == "USER")
    plain = served.ok(f"/scim/v2/Users/{holder}")
    assert "effectiveAccess" not in plain.get(AWS_USER, {})
    assert plain["entitlements"]
    asked = served.ok(f"/scim/v2/Users/{holder}?attributes=userName,{AWS_USER}:effectiveAccess")
    assert asked[AWS_USER]["effectiveAccess"]
    assert set(asked) == {"schemas", "id", "userName", AWS_USER}


# -- resources, meta, errors ---------------------------------------------------------------


def test_etag_and_if_none_match(served: Served) -> None:
    user = served.snapshot.users[0]
    response = served.get(f"/scim/v2/Users/{user.id}")
    etag = response.headers["ETag"]
    assert etag.startswith('W/"') and response.get_json()["meta"]["version"] == etag
    assert served.get(f"/scim/v2/Users/{user.id}", **{"If-None-Match": etag}).status_code == 304
    assert (
        served.get(f"/scim/v2/Users/{user.id}", **{"If-None-Match": 'W/"other"'}).status_code == 200
    )


def test_unknown_resource_is_a_scim_404(served: Served) -> None:
    response = served.get("/scim/v2/Users/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert served.get("/scim/v2/Nothing").status_code == 404


def test_discovery_documents(served: Served) -> None:
    config = served.ok("/scim/v2/ServiceProviderConfig")
    assert config["filter"] == {"supported": True, "maxResults": 1000}
    types = served.ok("/scim/v2/ResourceTypes")
    assert {r["name"] for r in types["Resources"]} == {
        "User",
        "Group",
        "Entitlement",
        "PermissionSet",
        "AwsAccount",
    }
    assert served.ok("/scim/v2/ResourceTypes/User")["endpoint"] == "/Users"
    schemas = served.ok("/scim/v2/Schemas")
    for schema in schemas["Resources"]:
        assert served.ok(f"/scim/v2/Schemas/{schema['id']}")["id"] == schema["id"]
    response = served.client.post(
        "/scim/v2/Schemas", headers={"Authorization": f"Bearer {served.token}"}
    )
    assert response.status_code == 405


# -- tokens ---------------------------------------------------------------------------------


def test_requests_without_a_valid_token_are_refused(served: Served) -> None:
    for headers in ({}, {"Authorization": "Bearer idcc_wrong"}, {"Authorization": "Basic abc"}):
        response = served.client.get("/scim/v2/Users", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["status"] == "401"
    assert served.client.get("/health").status_code == 200
    assert served.client.get("/ready").status_code == 200


def test_revoked_token_stops_working(served: Served) -> None:
    from connector.tokens import revoke_token

    token = create_token(served.store, "temporary", "read")
    headers = {"Authorization": f"Bearer {token}"}
    assert served.client.get("/scim/v2/Users?count=1", headers=headers).status_code == 200
    revoke_token(served.store, "temporary")
    assert served.client.get("/scim/v2/Users?count=1", headers=headers).status_code == 401


def test_malformed_and_oversized_requests_are_scim_errors(served: Served) -> None:
    headers = {"Authorization": f"Bearer {served.token}", "Content-Type": "application/scim+json"}
    broken = served.client.post("/scim/v2/Users/.search", data="{not json", headers=headers)
    assert broken.status_code == 400
    assert broken.get_json()["scimType"] == "invalidSyntax"
    wrong = served.client.post("/scim/v2/Users/.search", json={"count": "ten"}, headers=headers)
    assert wrong.status_code == 400
    huge = served.client.post(
        "/scim/v2/Users/.search", data="x" * (2 * 1024 * 1024), headers=headers
    )
    assert huge.status_code == 413
    assert huge.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_writes_need_a_write_token_and_catalogue_resources_are_read_only(served: Served) -> None:
    user = served.snapshot.users[0]
    writer = create_token(served.store, f"writer-{id(served)}", "write")
    for method, path in (
        ("post", "/scim/v2/Users"),
        ("put", f"/scim/v2/Users/{user.id}"),
        ("patch", f"/scim/v2/Users/{user.id}"),
        ("delete", f"/scim/v2/Users/{user.id}"),
        ("post", "/scim/v2/Groups"),
        ("post", "/scim/v2/Entitlements"),
    ):
        call = getattr(served.client, method)
        denied = call(path, json={}, headers={"Authorization": f"Bearer {served.token}"})
        assert denied.status_code == 403, (method, path)
        assert denied.get_json()["status"] == "403"
    for method, path in (("post", "/scim/v2/Entitlements"), ("delete", "/scim/v2/AwsAccounts/1")):
        refused = getattr(served.client, method)(
            path, json={}, headers={"Authorization": f"Bearer {writer}"}
        )
        assert refused.status_code == 405, (method, path)


def test_tests_of_the_same_children_combine_as_separate_tests_would(served: Served) -> None:
    """Tests of one multi-valued attribute share one subquery (scim.child_tests):
    two of its values may answer an `and`, and a user without values answers `ne`."""
    everyone = {u.id for u in served.snapshot.users}
    members: dict[str, set[str]] = {}
    for m in served.snapshot.memberships:
        members.setdefault(m.group_id, set()).add(m.user_id)
    one, two = next(
        (a, b)
        for a in sorted(members)
        for b in sorted(members)
        if a < b and members[a] & members[b] and members[a] != members[b]
    )
    first, second = f'groups.value eq "{one}"', f'groups.value eq "{two}"'
    both, either = members[one] & members[two], members[one] | members[two]
    assert served.ids(f"{first} and {second}") == both
    assert served.ids(f"{first} or {second}") == either
    assert served.ids(f"not ({first} and {second})") == everyone - both
    assert (
        served.ids(f'groups.value ne "{one}" or {second}')
        == (everyone - members[one]) | (members[two])
    )
    assert served.ids(f'groups.value ne "{one}" and groups.value ne "{two}"') == everyone - either
    assert served.ids(f'groups[value eq "{one}"] and not (groups[value eq "{two}"])') == (
        members[one] - members[two]
    )
    # No stored email has a null value: "ne null" holds for everyone, with or without one.
    assert any(not u.emails for u in served.snapshot.users)
    assert served.ids("emails.value ne null") == everyone
    assert served.ids("emails.value eq null") == set()
    past, future = '"2000-01-01T00:00:00Z"', '"2999-01-01T00:00:00Z"'
    assert served.ids(f"meta.lastModified gt {past} and meta.created lt {future}") == everyone
    assert served.ids(f"meta.lastModified gt {future} or meta.created lt {past}") == set()
    assert served.ids(f"not (meta.lastModified gt {past} and meta.created gt {future})") == (
        everyone
    )
    holder = next(a for a in served.snapshot.assignments if a.principal_type == "USER")
    held = entitlement_id(holder.account_id, holder.permission_set_arn)
    holders = {
        a.principal_id
        for a in served.snapshot.assignments
        if a.principal_type == "USER" and entitlement_id(a.account_id, a.permission_set_arn) == held
    }
    unknown = [f'{AWS_USER}:effectiveAccess.value eq "{i:012d}.ps-none"' for i in range(8)]
    found = served.ids(" or ".join([*unknown, f'{AWS_USER}:effectiveAccess.value eq "{held}"']))
    assert holders <= found
    assert found == served.ids(f'{AWS_USER}:effectiveAccess.value eq "{held}"')
