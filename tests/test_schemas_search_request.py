"""POST /.search bodies (RFC 7644 §3.4.3) load into query parameters or are refused."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from schemas import urns
from schemas.resources import SearchRequestSchema, load_search_request


def test_a_full_search_request_loads_into_its_parameters() -> None:
    loaded = load_search_request(
        {
            "schemas": [urns.SEARCH_REQUEST],
            "attributes": ["userName", "emails"],
            "excludedAttributes": [],
            "filter": 'userName sw "ada"',
            "sortBy": "userName",
            "sortOrder": "descending",
            "startIndex": 11,
            "count": 10,
        }
    )
    assert loaded == {
        "attributes": ["userName", "emails"],
        "excludedAttributes": [],
        "filter": 'userName sw "ada"',
        "sortBy": "userName",
        "sortOrder": "descending",
        "startIndex": 11,
        "count": 10,
    }


def test_an_empty_search_request_loads_into_no_parameters() -> None:
    assert SearchRequestSchema().load({}) == {}


def test_member_names_and_sort_order_match_case_insensitively() -> None:
    loaded = load_search_request({"FILTER": "active eq true", "sortorder": "Ascending"})
    assert loaded == {"filter": "active eq true", "sortOrder": "ascending"}


def test_attribute_names_may_be_a_comma_separated_string() -> None:
    loaded = load_search_request(
        {"attributes": "userName, emails,,", "excludedAttributes": ["groups,members"]}
    )
    assert loaded["attributes"] == ["userName", "emails"]
    assert loaded["excludedAttributes"] == ["groups", "members"]


def test_start_index_below_one_means_one_and_negative_count_means_zero() -> None:
    assert load_search_request({"startIndex": 0, "count": -5}) == {"startIndex": 1, "count": 0}
    assert load_search_request({"startIndex": -3})["startIndex"] == 1


def test_nulls_mean_not_given() -> None:
    assert load_search_request({"filter": None, "count": None, "attributes": None}) == {}


@pytest.mark.parametrize(
    "body",
    [
        {"count": "10"},
        {"count": True},
        {"count": 1.5},
        {"startIndex": "1"},
        {"attributes": [1]},
        {"attributes": 5},
        {"excludedAttributes": {"a": 1}},
        {"filter": 5},
        {"sortBy": ["userName"]},
        {"sortOrder": "up"},
        {"schemas": "x"},
    ],
)
def test_wrong_types_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        load_search_request(body)
    assert set(caught.value.messages_dict) == set(body)


def test_unknown_members_are_refused_not_ignored() -> None:
    with pytest.raises(ValidationError) as caught:
        load_search_request({"filters": 'userName eq "ada"'})
    assert "filters" in caught.value.messages_dict


def test_a_member_given_twice_in_different_case_is_refused() -> None:
    with pytest.raises(ValidationError):
        load_search_request({"count": 1, "COUNT": 2})


def test_a_body_that_is_not_an_object_is_refused() -> None:
    bodies: list[Any] = [[], "filter", 3, None]
    for body in bodies:
        with pytest.raises(ValidationError):
            load_search_request(body)


def test_schemas_must_name_the_search_request_message() -> None:
    with pytest.raises(ValidationError) as caught:
        load_search_request({"schemas": [urns.LIST_RESPONSE]})
    assert "schemas" in caught.value.messages_dict
    assert load_search_request({"schemas": [urns.SEARCH_REQUEST.upper()]}) == {}
