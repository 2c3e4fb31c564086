"""Input the service cannot use answers a SCIM 400 and changes nothing (issue 9).

Each case once answered 500 (or, for filters, held a worker for a minute).
Every test checks what the client receives (status, RFC 7644 §3.12 body,
`scimType`, a detail naming the problem), that AWS itself holds what it held
before (read with boto3 from the simulator) and that the ledger recorded no
operation; on both stores.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from connector.store import ledger
from connector.writers.registry import intent_from_json
from scim.filter_limits import (
    MAX_FILTER_COMPARISONS,
    MAX_FILTER_DEPTH,
    MAX_FILTER_LENGTH,
    MAX_FILTER_VALUE_LENGTH,
)
from scim.input_checks import MAX_JSON_DEPTH
from scim.query import MAX_COUNT, MAX_START_INDEX
from tests.live import PATCH_OP, Live, new_user
from tests.simulation import aws_state

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
EFFECTIVE = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User:effectiveAccess"
AWS_GROUP = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:Group"


# `before` (tests/conftest.py): AWS as it was before the module's first request.
pytestmark = pytest.mark.usefixtures("before")


@pytest.fixture(scope="module")
def live(shared_live: Live) -> Live:
    """One app for the module (tests/conftest.py): every request here is refused."""
    return shared_live


def refused(live: Live, response: Any, scim_type: str, *words: str) -> None:
    """A SCIM 400 of `scim_type` whose detail names `words`; nothing recorded."""
    body = response.get_json()
    assert response.status_code == 400, body
    assert body["schemas"] == [ERROR] and body["status"] == "400", body
    assert body["scimType"] == scim_type, body
    for word in words:
        assert word in body["detail"], body
    with live.store.reading() as connection:
        assert ledger.list_operations(connection, intent_from_json)[0] == 0


def unchanged(live: Live, before: dict[str, Any]) -> None:
    assert aws_state(live.aws, live.manifest) == before


def user_id(live: Live) -> str:
    return sorted(live.manifest.users.values())[0]


def group_id(live: Live) -> str:
    return sorted(live.manifest.groups.values())[0]


def search(live: Live, body: dict[str, Any], endpoint: str = "Users") -> Any:
    return live.client.post(
        f"/scim/v2/{endpoint}/.search", json={"schemas": [SEARCH], **body}, headers=live.headers()
    )


# -- filter size and cost (defect 6) --------------------------------------------------


def _terms(count: int, joiner: str) -> str:
    return f" {joiner} ".join(f'userName eq "u{i}"' for i in range(count))


def _nested(depth: int) -> str:
    text = 'userName eq "a"'
    for level in range(depth - 1):
        text = f'(userName eq "b{level}" {"and" if level % 2 else "or"} {text})'
    return text


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        (_terms(MAX_FILTER_COMPARISONS + 1, "or"), str(MAX_FILTER_COMPARISONS)),
        (
            " or ".join(f'{EFFECTIVE}.value eq "{i:012d}.ps-{i:016x}"' for i in range(300)),
            f"{MAX_FILTER_LENGTH:,}",
        ),
        (_terms(1000, "and"), f"{MAX_FILTER_LENGTH:,}"),
        (_terms(5000, "or"), f"{MAX_FILTER_LENGTH:,}"),
        (" and ".join(["id pr"] * 1000), str(MAX_FILTER_COMPARISONS)),
        (f'title co "{"x" * 60_000}"', f"{MAX_FILTER_LENGTH:,}"),
        (f'title co "{"x" * (MAX_FILTER_VALUE_LENGTH + 1)}"', f"{MAX_FILTER_VALUE_LENGTH:,}"),
        (_nested(MAX_FILTER_DEPTH + 1), str(MAX_FILTER_DEPTH)),
    ],
    ids=[
        "comparisons",
        "300 effectiveAccess",
        "1000 and",
        "5000 or",
        "1000 short and",
        "60k co",
        "long value",
        "depth",
    ],
)
def test_a_filter_past_a_limit_is_an_invalid_filter_naming_the_limit(
    live: Live, text: str, limit: str
) -> None:
    refused(
        live,
        live.client.get(f"/scim/v2/Users?filter={quote(text)}", headers=live.headers()),
        "invalidFilter",
        limit,
    )
    refused(live, search(live, {"filter": text}), "invalidFilter", limit)


def test_the_largest_accepted_filter_is_answered(live: Live) -> None:
    user = user_id(live)
    text = " or ".join(
        [f'id eq "{user}"']
        + [f'{EFFECTIVE}.value co "{i:0{MAX_FILTER_VALUE_LENGTH}d}"' for i in range(3)]
        + [f'emails.value eq "{i}@x.org"' for i in range(MAX_FILTER_COMPARISONS - 4)]
    )
    assert len(text) <= MAX_FILTER_LENGTH
    answer = live.client.get(f"/scim/v2/Users?filter={quote(text)}", headers=live.headers())
    assert answer.status_code == 200, answer.get_json()
    assert [r["id"] for r in answer.get_json()["Resources"]] == [user]
    assert _nested(MAX_FILTER_DEPTH).count("(") == MAX_FILTER_DEPTH - 1
    deep = live.client.get(
        f"/scim/v2/Users?filter={quote(_nested(MAX_FILTER_DEPTH))}", headers=live.headers()
    )
    assert deep.status_code == 200, deep.get_json()


# -- dates at the ends of the range (defect 7) ------------------------------------------

EDGES = ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00")


@pytest.mark.parametrize("edge", EDGES)
def test_a_date_outside_the_utc_range_is_a_400(live: Live, edge: str) -> None:
    text = f'meta.lastModified gt "{edge}"'
    answer = live.client.get(f"/scim/v2/Users?filter={quote(text)}", headers=live.headers())
    refused(live, answer, "invalidFilter", edge, "9999")
    for parameter in ("since", "until"):
        answer = live.client.get(
            f"/scim/v2/Operations?{parameter}={quote(edge)}", headers=live.headers()
        )
        refused(live, answer, "invalidValue", edge, "9999")


# -- startIndex and count (defect 7; RFC 7644 §3.4.2.4) -----------------------------------

HUGE = "99999999999999999999999"


def test_a_start_index_past_every_result_is_an_empty_page(live: Live) -> None:
    for path in ("Users", "Groups", "Entitlements", "Operations"):
        answer = live.client.get(f"/scim/v2/{path}?startIndex={HUGE}", headers=live.headers())
        assert answer.status_code == 200, (path, answer.get_json())
        body = answer.get_json()
        assert body["Resources"] == [] and body["startIndex"] == MAX_START_INDEX, path
    users = len(live.manifest.users)
    for body in ({"startIndex": int(HUGE)}, {"startIndex": int(HUGE), "count": 5}):
        answer = search(live, body)
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["Resources"] == []
        assert answer.get_json()["totalResults"] == users


def test_a_count_above_the_maximum_is_reduced_to_it(live: Live) -> None:
    users = len(live.manifest.users)
    for answer in (
        live.client.get(f"/scim/v2/Users?count={HUGE}", headers=live.headers()),
        search(live, {"count": int(HUGE)}),
        live.client.get(f"/scim/v2/Operations?count={HUGE}", headers=live.headers()),
        live.client.get(f"/scim/v2/Users?count=-{HUGE}", headers=live.headers()),
    ):
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["itemsPerPage"] <= min(MAX_COUNT, users)
    assert search(live, {"count": int(HUGE)}).get_json()["itemsPerPage"] == users
    refused(
        live,
        live.client.get("/scim/v2/Users?count=1e400", headers=live.headers()),
        "invalidValue",
        "count",
    )


# -- bodies nested too deep (defect 7) --------------------------------------------------------


def _deep(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 10_000])
def test_a_body_nested_too_deep_is_invalid_syntax_on_every_body_endpoint(
    live: Live, before: dict[str, Any], levels: int
) -> None:
    user, group = user_id(live), group_id(live)
    body = _deep(levels)
    for method, path in (
        ("post", "Users"),
        ("put", f"Users/{user}"),
        ("patch", f"Users/{user}"),
        ("post", "Groups"),
        ("put", f"Groups/{group}"),
        ("patch", f"Groups/{group}"),
        ("post", "Users/.search"),
        ("post", "Groups/.search"),
    ):
        answer = getattr(live.client, method)(
            f"/scim/v2/{path}",
            data=body,
            headers=live.headers(**{"Content-Type": "application/scim+json"}),
        )
        refused(live, answer, "invalidSyntax", str(MAX_JSON_DEPTH))
    unchanged(live, before)


def test_a_body_the_checks_accept_reaches_the_view_intact(live: Live) -> None:
    answer = live.client.post(
        "/scim/v2/Users/.search",
        data=json.dumps({"schemas": [SEARCH], "filter": f'id eq "{user_id(live)}"'}),
        headers=live.headers(**{"Content-Type": "application/scim+json"}),
    )
    assert answer.status_code == 200
    assert [r["id"] for r in answer.get_json()["Resources"]] == [user_id(live)]


# -- PATCH values of the wrong shape (defect 7) ----------------------------------------------


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize(
    ("resource", "attribute", "value"),
    [
        ("Users", "emails", [{"value": ["a"]}]),
        ("Users", "entitlements", [{"value": ["a"]}]),
        ("Users", "entitlements", [{"value": {"a": 1}}]),
        ("Groups", "members", [{"value": ["a"]}]),
        ("Groups", "members", [["a"]]),
        ("Groups", "entitlements", [{"value": ["a"]}]),
    ],
)
def test_a_list_or_object_where_a_value_belongs_is_an_invalid_value(
    live: Live, before: dict[str, Any], resource: str, attribute: str, value: Any, dry_run: bool
) -> None:
    target = user_id(live) if resource == "Users" else group_id(live)
    headers = {"X-Dry-Run": "true"} if dry_run else {}
    for op in ("add", "remove", "replace"):
        answer = live.patch(
            f"{resource}/{target}", {"op": op, "path": attribute, "value": value}, **headers
        )
        refused(live, answer, "invalidValue", attribute)
    unchanged(live, before)


# -- NUL characters and lone surrogates (defect 7) -------------------------------------------


def test_a_lone_surrogate_in_a_patch_value_is_an_invalid_value(
    live: Live, before: dict[str, Any]
) -> None:
    operation = {"op": "replace", "path": "title", "value": "\ud800"}
    body = json.dumps({"schemas": [PATCH_OP], "Operations": [operation]})
    assert "\\ud800" in body
    for headers in ({}, {"X-Dry-Run": "true"}, {"Idempotency-Key": "surrogate"}):
        answer = live.client.patch(
            f"/scim/v2/Users/{user_id(live)}",
            data=body,
            headers=live.headers(**{"Content-Type": "application/scim+json", **headers}),
        )
        refused(live, answer, "invalidValue", "surrogate", "Operations[0].value")
    unchanged(live, before)


def test_a_nul_character_anywhere_is_a_400_naming_where(live: Live, before: dict[str, Any]) -> None:
    user, group = user_id(live), group_id(live)
    nul_filter = 'userName eq "a\u0000b"'
    refused(
        live,
        live.client.get(f"/scim/v2/Users?filter={quote(nul_filter)}", headers=live.headers()),
        "invalidFilter",
        "NUL",
        "filter",
    )
    refused(live, search(live, {"filter": nul_filter}), "invalidFilter", "NUL", "filter")
    for path in (
        "Users/a%00b",
        "Groups/a%00b",
        "Entitlements/a%00b",
        "Operations/a%00b",
        "Operations?status=a%00b",
        "Operations?principal=a%00b",
        "Operations?since=2026-01-01%00",
        "Users?sortBy=userName%00",
    ):
        refused(
            live, live.client.get(f"/scim/v2/{path}", headers=live.headers()), "invalidValue", "NUL"
        )
    for resource, target, attribute in (
        ("Users", user, "entitlements"),
        ("Groups", group, "members"),
        ("Groups", group, "entitlements"),
    ):
        for headers in ({}, {"X-Dry-Run": "true"}):
            answer = live.patch(
                f"{resource}/{target}",
                {"op": "add", "path": attribute, "value": [{"value": "a\u0000b"}]},
                **headers,
            )
            refused(live, answer, "invalidValue", "NUL", "Operations[0].value[0].value")
    unchanged(live, before)


# -- PATCH leniency (defect 10) ----------------------------------------------------------------


def test_a_value_filter_on_a_single_valued_attribute_is_an_invalid_path(
    live: Live, before: dict[str, Any]
) -> None:
    for path in ('title[value eq "x"]', 'displayName[value eq "x"]', "userName[value pr]"):
        answer = live.patch(f"Users/{user_id(live)}", {"op": "replace", "path": path, "value": "y"})
        refused(live, answer, "invalidPath", "single-valued")
    unchanged(live, before)


def test_a_name_given_twice_in_different_cases_is_refused_as_post_refuses_it(
    live: Live, before: dict[str, Any]
) -> None:
    posted = live.client.post(
        "/scim/v2/Users",
        json=new_user("twice@example.com", "Twice", "Given", USERNAME="twice2@example.com"),
        headers=live.headers(),
    )
    refused(live, posted, "invalidValue")
    detail = posted.get_json()["detail"]
    assert "userName" in detail
    for value in (
        {"userName": "a@example.com", "USERNAME": "b@example.com"},
        {"displayName": "A", "displayname": "B"},
    ):
        patched = live.patch(f"Users/{user_id(live)}", {"op": "replace", "value": value})
        refused(live, patched, "invalidValue", "more than once")
    patched = live.patch(
        f"Users/{user_id(live)}",
        {"op": "replace", "value": {"userName": "a@example.com", "USERNAME": "b@example.com"}},
    )
    assert patched.get_json()["detail"] == detail
    group = live.patch(
        f"Groups/{group_id(live)}",
        {"op": "replace", "value": {AWS_GROUP: {"description": "a", "DESCRIPTION": "b"}}},
    )
    refused(live, group, "invalidValue", "more than once")
    unchanged(live, before)
