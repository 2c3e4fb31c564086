"""Generated bad input never answers 5xx and never changes anything (issue 9).

Hypothesis generates filters (well-formed and garbage: random attribute paths,
operators, nesting, long values, odd Unicode, NUL, lone surrogates) and PATCH
bodies (random operations, paths and value shapes), and sends them over the
test client to an app on a synced store with a simulated AWS, on both stores.
Every answer must be below 500, every 4xx must carry an RFC 7644 §3.12 body,
no request may record an operation in the ledger, and AWS (read with boto3)
must hold at the end exactly what it held at the start.

PATCHes are sent as dry runs, which change nothing whatever they ask, and as
real requests carrying one operation that must be refused, so that nothing
they ask may reach AWS. Runs are reproducible (`derandomize=True`) and bounded
(`max_examples`); each test prints how many inputs it tried and how many 5xx it
saw.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.store import ledger
from connector.writers.registry import intent_from_json
from tests.live import PATCH_OP, Live
from tests.simulation import aws_state

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
AWS_USER = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User"
AWS_GROUP = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:Group"

BOUNDED = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# `before` (tests/conftest.py): AWS as it was before the module's first request.
pytestmark = pytest.mark.usefixtures("before")


@pytest.fixture(scope="module")
def live(shared_live: Live) -> Live:
    """One app for the module (tests/conftest.py): every request here is refused."""
    return shared_live


class Tally:
    """Inputs tried and 5xx answers seen, for the closing print."""

    def __init__(self) -> None:
        self.tried = 0
        self.server_errors = 0
        self.statuses: Counter[int] = Counter()

    def check(self, live: Live, response: Any) -> None:
        """Below 500; a SCIM error body on every 4xx; nothing in the ledger."""
        self.tried += 1
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors += 1
        assert response.status_code < 500, response.get_data(as_text=True)
        if response.status_code >= 400:
            body = response.get_json()
            assert body["schemas"] == [ERROR], body
            assert body["status"] == str(response.status_code), body
            assert isinstance(body.get("detail"), str), body
        with live.store.reading() as connection:
            assert ledger.list_operations(connection, intent_from_json)[0] == 0

    def report(self, name: str, capsys: pytest.CaptureFixture[str]) -> None:
        assert self.tried > 0
        with capsys.disabled():
            answers = ", ".join(f"{n} x {s}" for s, n in sorted(self.statuses.items()))
            print(f"\n{name}: {self.tried} bad inputs tried, {self.server_errors} 5xx seen")
            print(f"{name}: answers {answers}")


# -- filters ------------------------------------------------------------------------

ATTRIBUTES = (
    "userName",
    "USERNAME",
    "id",
    "externalId",
    "title",
    "active",
    "name.givenName",
    "emails",
    "emails.value",
    "emails.type",
    "emails.primary",
    "phoneNumbers.value",
    "addresses.country",
    "groups.value",
    "groups.display",
    "entitlements.value",
    "members.value",
    "displayName",
    "meta.lastModified",
    "meta.created",
    "meta",
    f"{AWS_USER}:effectiveAccess.value",
    f"{AWS_USER}:effectiveAccess.accountId",
    f"{AWS_USER}:userStatus",
    f"{AWS_GROUP}:description",
    "urn:nosuch:schema:attribute",
    "nosuch",
    "emails.nosuch",
)
OPERATORS = ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "Co", "xx", "")

odd_text = st.text(
    alphabet=st.one_of(
        st.characters(),  # any code point, lone surrogates included
        st.sampled_from(["\x00", '"', "\\", "%", "_", "/", "[", "]", "(", ")", " "]),
    ),
    max_size=30,
)
values = st.one_of(
    odd_text.map(json.dumps),  # a JSON string: escapes, \u0000, \ud800 ...
    st.text(max_size=8).map(json.dumps),
    st.integers().map(str),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["true", "false", "null", '"2026-01-01T00:00:00Z"']),
    st.sampled_from(['"9999-12-31T23:59:59-14:00"', '"0001-01-01T00:00:00+14:00"']),
    st.integers(min_value=1000, max_value=70_000).map(lambda n: json.dumps("x" * n)),
    odd_text,  # unquoted garbage
)
# Mostly names the schemas know, so that most filters reach SQL.
attribute = st.one_of(
    st.sampled_from(ATTRIBUTES),
    st.sampled_from(ATTRIBUTES),
    st.sampled_from(ATTRIBUTES),
    st.from_regex(r"[A-Za-z$][A-Za-z0-9_.$:-]{0,24}", fullmatch=True),
)
dates = st.one_of(
    st.sampled_from(['"9999-12-31T23:59:59-14:00"', '"0001-01-01T00:00:00+14:00"']),
    st.datetimes().map(lambda d: json.dumps(d.isoformat())),
    odd_text.map(json.dumps),
)
comparison = st.one_of(
    st.builds(lambda a, o, v: f"{a} {o} {v}", attribute, st.sampled_from(OPERATORS), values),
    st.builds(lambda a: f"{a} pr", attribute),
    st.builds(
        lambda a, o, v: f"{a} {o} {v}",
        st.sampled_from(["meta.lastModified", "meta.created"]),
        st.sampled_from(["gt", "ge", "lt", "le", "eq", "ne"]),
        dates,
    ),
)
filters = st.one_of(
    st.recursive(
        comparison,
        lambda inner: st.one_of(
            st.builds(lambda a, b: f"{a} and {b}", inner, inner),
            st.builds(lambda a, b: f"{a} or {b}", inner, inner),
            st.builds(lambda a: f"not ({a})", inner),
            st.builds(lambda a: f"({a})", inner),
            st.builds(lambda a, f: f"{a}[{f}]", attribute, inner),
            st.builds(
                lambda a, n, j: f" {j} ".join([a] * n),
                inner,
                st.integers(2, 30),
                st.sampled_from(["and", "or"]),
            ),
        ),
        max_leaves=12,
    ),
    # Long chains: SQLite's expression tree once overflowed at 1000 terms.
    st.builds(
        lambda c, n, j: f" {j} ".join([c] * n),
        st.builds(lambda a, o: f'{a} {o} "x"', attribute, st.sampled_from(OPERATORS)),
        st.integers(900, 6000),
        st.sampled_from(["and", "or"]),
    ),
    odd_text,
)
endpoints = st.sampled_from(["Users", "Groups", "Entitlements", "PermissionSets", "AwsAccounts"])
# Mostly none: a bad parameter is refused before the filter is read.
parameters = st.one_of(
    st.just({}),
    st.just({}),
    st.dictionaries(
        st.sampled_from(["startIndex", "count", "sortBy", "sortOrder", "attributes"]),
        st.one_of(odd_text, st.integers().map(str), st.sampled_from(ATTRIBUTES)),
        max_size=2,
    ),
)

FILTERS = Tally()


@BOUNDED
@given(text=filters, endpoint=endpoints, extra=parameters, search=st.booleans())
def test_generated_filters_never_answer_5xx(
    live: Live, text: str, endpoint: str, extra: dict[str, str], search: bool
) -> None:
    if search:
        body: dict[str, Any] = {"filter": text, **extra}
        response = live.client.post(
            f"/scim/v2/{endpoint}/.search",
            data=json.dumps(body),
            headers=live.headers(**{"Content-Type": "application/scim+json"}),
        )
    else:
        query = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in extra.items())
        response = live.client.get(
            f"/scim/v2/{endpoint}?filter={quote(text, safe='')}&{query}", headers=live.headers()
        )
    FILTERS.check(live, response)


# -- PATCH ------------------------------------------------------------------------------

PATHS = (
    "title",
    "displayName",
    "userName",
    "name.givenName",
    "name",
    "emails",
    'emails[type eq "work"].value',
    'emails[type eq "work"]',
    "phoneNumbers",
    "addresses",
    "entitlements",
    'entitlements[value eq "x"]',
    "members",
    'members[value eq "x"]',
    "externalId",
    "active",
    "groups",
    "id",
    "meta.created",
    'title[value eq "x"]',
    AWS_GROUP,
    f"{AWS_GROUP}:description",
    f"{AWS_GROUP}:entitlements",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
    "nosuch",
    "",
    "emails[",
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), odd_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(["value", "Value", "type", "primary", "display"]), odd_text),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=8,
)
operation = st.fixed_dictionaries(
    {
        "op": st.sampled_from(["add", "remove", "replace"] * 3 + ["Add", "Replace", "delete", 7]),
        "value": st.one_of(
            json_values,
            st.builds(lambda v: [{"value": v}], json_values),
            st.dictionaries(st.sampled_from(["userName", "USERNAME", "title", "TITLE"]), odd_text),
        ),
    },
    optional={
        "path": st.one_of(st.sampled_from(PATHS), st.sampled_from(PATHS), odd_text, st.integers())
    },
)
# One operation that must be refused, whatever the others ask (RFC 7644 §3.5.2).
refused_operation = st.sampled_from(
    [
        {"op": "replace", "path": "id", "value": "someone-else"},
        {"op": "add", "path": "groups", "value": [{"value": "g"}]},
        {"op": "add", "path": "nosuch", "value": "x"},
        {"op": "remove"},
        {"op": "frobnicate", "path": "title", "value": "x"},
        {"op": "replace", "path": 'title[value eq "x"]', "value": "x"},
        {"op": "add", "path": "entitlements", "value": [{"value": ["a"]}]},
        {"op": "add", "path": "members", "value": [{"value": "a\u0000b"}]},
        {"op": "replace", "path": "title", "value": "\ud800"},
        {"op": "replace", "value": {"userName": "a@x.org", "USERNAME": "b@x.org"}},
    ]
)
resources = st.sampled_from(["Users", "Groups"])

PATCHES = Tally()


def _target(live: Live, resource: str) -> str:
    ids = live.manifest.users if resource == "Users" else live.manifest.groups
    return sorted(ids.values())[0]


def _patch(live: Live, resource: str, body: Any, **headers: str) -> Any:
    return live.client.patch(
        f"/scim/v2/{resource}/{_target(live, resource)}",
        data=json.dumps(body),
        headers=live.headers(**{"Content-Type": "application/scim+json", **headers}),
    )


@BOUNDED
@given(
    resource=resources,
    operations=st.lists(operation, max_size=4),
    schemas=st.sampled_from([[PATCH_OP]] * 4 + [[], ["urn:other"], None]),
)
def test_generated_dry_run_patches_never_answer_5xx(
    live: Live, resource: str, operations: list[dict[str, Any]], schemas: Any
) -> None:
    body = {"schemas": schemas, "Operations": operations}
    PATCHES.check(live, _patch(live, resource, body, **{"X-Dry-Run": "true"}))


@BOUNDED
@given(
    resource=resources,
    operations=st.lists(operation, max_size=3),
    bad=refused_operation,
    position=st.integers(min_value=0, max_value=3),
)
def test_generated_patches_that_must_be_refused_are_4xx(
    live: Live, resource: str, operations: list[dict[str, Any]], bad: Any, position: int
) -> None:
    operations.insert(min(position, len(operations)), bad)
    response = _patch(live, resource, {"schemas": [PATCH_OP], "Operations": operations})
    PATCHES.check(live, response)
    assert 400 <= response.status_code < 500, response.get_json()


# -- last: what was tried -------------------------------------------------------------------


def test_every_bad_input_answered_below_500_and_aws_holds_what_it_held(
    live: Live, before: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    for name, tally in (("filters", FILTERS), ("PATCH bodies", PATCHES)):
        tally.report(name, capsys)
        assert tally.server_errors == 0
    assert aws_state(live.aws, live.manifest) == before
