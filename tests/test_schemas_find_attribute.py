"""Attribute paths (RFC 7644 §3.10) resolve against the published schemas, or not at all."""

from __future__ import annotations

import pytest

from schemas import urns
from schemas.definitions import RESOURCE_TYPES, find_attribute


def test_core_attributes_resolve_without_urn_case_insensitively() -> None:
    found = find_attribute("user", None, "USERNAME", None)
    assert found is not None
    assert (found.schema, found.path, found.common) == (urns.CORE_USER, "userName", False)
    assert found.definition.uniqueness == "server"


def test_core_attributes_resolve_with_their_urn() -> None:
    prefixed = find_attribute("User", None, f"{urns.CORE_USER}:userName", None)
    separate = find_attribute("User", urns.CORE_USER.upper(), "username", None)
    assert prefixed is not None and separate is not None
    assert prefixed == separate
    assert prefixed.schema == urns.CORE_USER


def test_sub_attributes_resolve_given_apart_or_after_a_dot() -> None:
    apart = find_attribute("User", None, "name", "GIVENNAME")
    dotted = find_attribute("User", None, "Name.givenName", None)
    prefixed = find_attribute("User", None, f"{urns.CORE_USER}:name.givenName", None)
    assert apart is not None and apart == dotted == prefixed
    assert apart.path == "name.givenName"
    assert apart.sub_attribute is not None and apart.definition is apart.sub_attribute


def test_a_complex_attribute_without_sub_attribute_resolves_to_itself() -> None:
    found = find_attribute("User", None, "emails", None)
    assert found is not None
    assert found.sub_attribute is None
    assert found.definition.type == "complex"


def test_extension_attributes_resolve_with_their_urn() -> None:
    department = find_attribute("User", None, f"{urns.ENTERPRISE_USER}:department", None)
    assert department is not None
    assert (department.schema, department.path) == (urns.ENTERPRISE_USER, "department")
    manager = find_attribute("User", urns.ENTERPRISE_USER.lower(), "manager", "value")
    assert manager is not None and manager.path == "manager.value"
    access = find_attribute("User", urns.AWS_USER, "effectiveAccess", "accountId")
    assert access is not None and access.schema == urns.AWS_USER
    description = find_attribute("Group", None, f"{urns.AWS_GROUP}:description", None)
    assert description is not None and description.schema == urns.AWS_GROUP


def test_extension_attributes_are_refused_without_their_urn() -> None:
    assert find_attribute("User", None, "department", None) is None
    assert find_attribute("User", None, "effectiveAccess", None) is None
    assert find_attribute("Group", None, "description", None) is None


@pytest.mark.parametrize("resource_type", list(RESOURCE_TYPES))
def test_common_attributes_resolve_for_every_resource_type(resource_type: str) -> None:
    base = RESOURCE_TYPES[resource_type].schema
    for attr, sub_attr, path in (
        ("id", None, "id"),
        ("EXTERNALID", None, "externalId"),
        ("meta", "lastmodified", "meta.lastModified"),
        ("meta.created", None, "meta.created"),
    ):
        found = find_attribute(resource_type, None, attr, sub_attr)
        assert found is not None, attr
        assert (found.schema, found.path, found.common) == (base, path, True)
    assert find_attribute(resource_type, base, "id", None) is not None


def test_common_attributes_keep_rfc7643_section3_1_characteristics() -> None:
    found = find_attribute("Group", None, "id", None)
    assert found is not None
    id_ = found.definition
    assert (id_.case_exact, id_.mutability, id_.returned, id_.uniqueness) == (
        True,
        "readOnly",
        "always",
        "server",
    )
    external = find_attribute("Group", None, "externalId", None)
    assert external is not None and external.definition.case_exact


@pytest.mark.parametrize(
    ("resource_type", "uri", "attr", "sub_attr"),
    [
        ("User", None, "nope", None),
        ("User", None, "name", "nope"),
        ("User", None, "userName", "value"),
        ("User", None, "name.givenName.more", None),
        ("User", "urn:nope", "userName", None),
        ("User", urns.CORE_GROUP, "displayName", None),
        ("User", urns.ENTERPRISE_USER, "userName", None),
        ("User", urns.ENTERPRISE_USER, "id", None),
        ("Group", urns.ENTERPRISE_USER, "department", None),
        ("Entitlement", None, "userName", None),
        ("User", None, f"{urns.CORE_USER}:", None),
    ],
)
def test_unknown_paths_resolve_to_none(
    resource_type: str, uri: str | None, attr: str, sub_attr: str | None
) -> None:
    assert find_attribute(resource_type, uri, attr, sub_attr) is None


def test_custom_resource_attributes_resolve() -> None:
    arn = find_attribute("Entitlement", None, "permissionSet.arn", None)
    assert arn is not None and arn.schema == urns.ENTITLEMENT
    account = find_attribute("AwsAccount", urns.AWS_ACCOUNT, "name", None)
    assert account is not None and account.path == "name"
    tags = find_attribute("PermissionSet", None, "tags", "key")
    assert tags is not None and tags.path == "tags.key"


def test_an_unpublished_resource_type_is_the_callers_mistake() -> None:
    with pytest.raises(KeyError):
        find_attribute("Robot", None, "id", None)
