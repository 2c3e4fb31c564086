"""PATCH applied to a served document (RFC 7644 §3.5.2), in the forms clients send."""

from __future__ import annotations

from typing import Any

import pytest

from scim.errors import ScimError
from scim.writes.patch import apply_operation, load_patch

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
AWS_GROUP = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:Group"


def patched(resource_type: str, document: dict[str, Any], *operations: dict[str, Any]) -> Any:
    for operation in load_patch({"schemas": [PATCH_OP], "Operations": list(operations)}):
        document = apply_operation(resource_type, document, operation)
    return document


USER = {
    "id": "u1",
    "userName": "ada@example.com",
    "displayName": "Ada",
    "name": {"givenName": "Ada", "familyName": "Lovelace"},
    "emails": [{"value": "ada@example.com", "type": "work", "primary": True}],
    "entitlements": [{"value": "111122223333.ps-1"}],
}
GROUP = {"id": "g1", "displayName": "Ops", "members": [{"value": "u1"}, {"value": "u2"}]}


def test_op_names_compare_in_any_case() -> None:
    assert (
        patched("User", USER, {"op": "Replace", "path": "title", "value": "CTO"})["title"] == "CTO"
    )


def test_adding_a_value_already_there_changes_nothing() -> None:
    again = patched("Group", GROUP, {"op": "add", "path": "members", "value": [{"value": "u1"}]})
    assert again["members"] == GROUP["members"]


def test_remove_with_a_value_list_removes_only_those() -> None:
    left = patched("Group", GROUP, {"op": "remove", "path": "members", "value": [{"value": "u2"}]})
    assert left["members"] == [{"value": "u1"}]


def test_remove_by_value_filter() -> None:
    left = patched("Group", GROUP, {"op": "remove", "path": 'members[value eq "u1"]'})
    assert left["members"] == [{"value": "u2"}]


def test_replace_without_a_path_sets_each_attribute_and_ignores_unchanged_read_only_ones() -> None:
    okta = {"op": "replace", "value": {"id": "g1", "displayName": "Platform"}}
    assert patched("Group", GROUP, okta)["displayName"] == "Platform"


def test_replace_without_a_path_refuses_a_changed_read_only_attribute() -> None:
    with pytest.raises(ScimError) as refused:
        patched("Group", GROUP, {"op": "replace", "value": {"id": "other"}})
    assert refused.value.scim_type == "mutability"


def test_a_value_path_with_a_sub_attribute_replaces_that_sub_attribute() -> None:
    changed = patched(
        "User", USER, {"op": "replace", "path": 'emails[type eq "work"].value', "value": "a@x.org"}
    )
    assert changed["emails"] == [{"value": "a@x.org", "type": "work", "primary": True}]


def test_add_through_a_value_path_that_matches_nothing_creates_the_value() -> None:
    entra = {"op": "Add", "path": 'phoneNumbers[type eq "work"].value', "value": "+44 20 1234"}
    assert patched("User", USER, entra)["phoneNumbers"] == [
        {"type": "work", "value": "+44 20 1234"}
    ]


def test_replace_through_a_value_path_that_matches_nothing_is_no_target() -> None:
    with pytest.raises(ScimError) as refused:
        patched(
            "User",
            USER,
            {"op": "replace", "path": 'phoneNumbers[type eq "work"].value', "value": "1"},
        )
    assert refused.value.scim_type == "noTarget"


def test_a_groups_entitlements_may_be_named_bare_or_with_the_extension_urn() -> None:
    bare = patched(
        "Group", GROUP, {"op": "add", "path": "entitlements", "value": [{"value": "e1"}]}
    )
    full = patched(
        "Group",
        GROUP,
        {"op": "add", "path": f"{AWS_GROUP}:entitlements", "value": [{"value": "e1"}]},
    )
    assert bare[AWS_GROUP]["entitlements"] == full[AWS_GROUP]["entitlements"] == [{"value": "e1"}]


def test_a_path_naming_a_whole_extension_sets_its_attributes() -> None:
    changed = patched(
        "Group",
        GROUP,
        {
            "op": "add",
            "path": AWS_GROUP,
            "value": {"schemas": [AWS_GROUP], "description": "on call"},
        },
    )
    assert changed[AWS_GROUP]["description"] == "on call"


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "add", "path": "groups", "value": [{"value": "g"}]}, "mutability"),
        ({"op": "add", "path": "meta.created", "value": "x"}, "mutability"),
        ({"op": "add", "path": "nickname.first", "value": "x"}, "invalidPath"),
        ({"op": "add", "path": "noSuchAttribute", "value": "x"}, "invalidPath"),
        ({"op": "remove"}, "noTarget"),
        ({"op": "add", "path": "title"}, "invalidValue"),
    ],
)
def test_bad_operations_are_scim_400s(operation: dict[str, Any], scim_type: str) -> None:
    with pytest.raises(ScimError) as refused:
        patched("User", USER, operation)
    assert (refused.value.status, refused.value.scim_type) == (400, scim_type)
