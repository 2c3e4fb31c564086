"""The published definitions are valid RFC 7643 discovery documents and say what we serve."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from schemas import urns
from schemas.attributes import AttributeDefinition
from schemas.definitions import (
    RESOURCE_TYPES,
    SCHEMAS,
    find_resource_type,
    find_schema,
    service_provider_config,
)

ATTRIBUTE_TYPES = {"string", "boolean", "decimal", "integer", "dateTime", "reference", "complex"}
REQUIRED_KEYS = {
    "name",
    "type",
    "multiValued",
    "description",
    "required",
    "mutability",
    "returned",
    "uniqueness",
}
OUR_SCHEMAS = (
    urns.AWS_USER,
    urns.AWS_GROUP,
    urns.ENTITLEMENT,
    urns.PERMISSION_SET,
    urns.AWS_ACCOUNT,
)


def walk(attributes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for attribute in attributes:
        yield attribute
        yield from walk(attribute.get("subAttributes", []))


def walk_definitions(
    attributes: tuple[AttributeDefinition, ...],
) -> Iterator[AttributeDefinition]:
    for attribute in attributes:
        yield attribute
        yield from walk_definitions(attribute.sub_attributes)


@pytest.mark.parametrize("urn", list(SCHEMAS))
def test_every_published_schema_renders_rfc7643_section7_json(urn: str) -> None:
    rendered = json.loads(json.dumps(SCHEMAS[urn].to_scim()))
    assert rendered["schemas"] == [urns.SCHEMA]
    assert rendered["id"] == urn
    assert rendered["name"] and rendered["description"]
    assert rendered["meta"] == {"resourceType": "Schema"}
    assert rendered["attributes"]
    for attribute in walk(rendered["attributes"]):
        assert attribute.keys() >= REQUIRED_KEYS, attribute["name"]
        assert attribute["type"] in ATTRIBUTE_TYPES
        assert attribute["mutability"] in {"readOnly", "readWrite", "immutable", "writeOnly"}
        assert attribute["returned"] in {"always", "never", "default", "request"}
        assert attribute["uniqueness"] in {"none", "server", "global"}
        is_complex = attribute["type"] == "complex"
        assert ("subAttributes" in attribute) == is_complex, attribute["name"]
        assert ("caseExact" in attribute) != is_complex, attribute["name"]
        assert ("referenceTypes" in attribute) == (attribute["type"] == "reference")
        for key in ("canonicalValues", "referenceTypes"):
            values = attribute.get(key, [])
            assert isinstance(values, list) and all(isinstance(v, str) for v in values)


def test_schema_location_is_rendered_in_meta_when_known() -> None:
    location = f"https://scim.example/v2/Schemas/{urns.CORE_USER}"
    rendered = SCHEMAS[urns.CORE_USER].to_scim(location=location)
    assert rendered["meta"] == {"resourceType": "Schema", "location": location}


def test_common_attributes_are_not_listed_in_any_schema() -> None:
    for schema in SCHEMAS.values():
        assert {a.name for a in schema.attributes}.isdisjoint({"id", "externalId", "meta"})


def test_only_rfc_schemas_use_the_ietf_namespace() -> None:
    rfc = {urns.CORE_USER, urns.CORE_GROUP, urns.ENTERPRISE_USER}
    assert {urn for urn in SCHEMAS if urn.startswith("urn:ietf:")} == rfc
    assert all(urn.startswith("urn:identity-center-connector:") for urn in OUR_SCHEMAS)


def test_every_resource_types_schema_and_extensions_are_published() -> None:
    for resource_type in RESOURCE_TYPES.values():
        for urn in resource_type.schema_ids:
            assert urn in SCHEMAS, (resource_type.name, urn)


def test_every_published_schema_belongs_to_a_resource_type() -> None:
    used = {urn for rt in RESOURCE_TYPES.values() for urn in rt.schema_ids}
    assert used == set(SCHEMAS)


def test_resource_types_render_rfc7643_section6_json() -> None:
    user = RESOURCE_TYPES["User"].to_scim(location="https://scim.example/v2/ResourceTypes/User")
    assert user == {
        "schemas": [urns.RESOURCE_TYPE],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": urns.CORE_USER,
        "schemaExtensions": [
            {"schema": urns.ENTERPRISE_USER, "required": False},
            {"schema": urns.AWS_USER, "required": False},
        ],
        "meta": {
            "resourceType": "ResourceType",
            "location": "https://scim.example/v2/ResourceTypes/User",
        },
    }
    entitlement = RESOURCE_TYPES["Entitlement"].to_scim()
    assert "schemaExtensions" not in entitlement
    endpoints = {name: rt.endpoint for name, rt in RESOURCE_TYPES.items()}
    assert endpoints == {
        "User": "/Users",
        "Group": "/Groups",
        "Entitlement": "/Entitlements",
        "PermissionSet": "/PermissionSets",
        "AwsAccount": "/AwsAccounts",
    }


def test_resource_types_and_schemas_are_found_case_insensitively() -> None:
    assert find_resource_type("permissionset") is RESOURCE_TYPES["PermissionSet"]
    assert find_resource_type("Nope") is None
    assert find_schema(urns.ENTERPRISE_USER.upper()) is SCHEMAS[urns.ENTERPRISE_USER]
    assert find_schema("urn:nope") is None


def test_core_user_attributes_keep_rfc7643_characteristics() -> None:
    user = SCHEMAS[urns.CORE_USER]
    user_name = user.attribute("userName")
    assert user_name is not None
    assert (user_name.required, user_name.uniqueness, user_name.case_exact) == (
        True,
        "server",
        False,
    )
    assert user_name.mutability == "readWrite"
    groups = user.attribute("groups")
    assert groups is not None and groups.mutability == "readOnly"
    assert {sub.mutability for sub in groups.sub_attributes} == {"readOnly"}
    emails = user.attribute("emails")
    assert emails is not None and emails.multi_valued
    email_type = emails.sub_attribute("type")
    assert email_type is not None and email_type.canonical_values == ("work", "home", "other")
    profile = user.attribute("profileUrl")
    assert profile is not None and profile.reference_types == ("external",)
    group_name = SCHEMAS[urns.CORE_GROUP].attribute("displayName")
    assert group_name is not None and group_name.required


def test_user_publishes_exactly_the_attributes_served() -> None:
    user = RESOURCE_TYPES["User"]
    names = {urn: [a.name for a in SCHEMAS[urn].attributes] for urn in user.schema_ids}
    assert names == {
        urns.CORE_USER: [
            "userName",
            "name",
            "displayName",
            "nickName",
            "profileUrl",
            "title",
            "userType",
            "preferredLanguage",
            "locale",
            "timezone",
            "active",
            "emails",
            "phoneNumbers",
            "addresses",
            "roles",
            "photos",
            "groups",
            "entitlements",
        ],
        urns.ENTERPRISE_USER: [
            "employeeNumber",
            "costCenter",
            "organization",
            "division",
            "department",
            "manager",
        ],
        urns.AWS_USER: [
            "identityStoreId",
            "externalIds",
            "userStatus",
            "createdBy",
            "updatedAt",
            "updatedBy",
            "effectiveAccess",
            "website",
            "birthdate",
        ],
    }


@pytest.mark.parametrize(
    "urn", [u for u in OUR_SCHEMAS if u not in (urns.AWS_GROUP, urns.AWS_USER)]
)
def test_our_schemas_are_read_only(urn: str) -> None:
    mutabilities = {a.mutability for a in walk_definitions(SCHEMAS[urn].attributes)}
    assert mutabilities == {"readOnly"}


def test_a_users_website_and_birthdate_are_writable_and_nothing_else_of_ours() -> None:
    schema = SCHEMAS[urns.AWS_USER]
    writable = [a.name for a in walk_definitions(schema.attributes) if a.mutability != "readOnly"]
    assert writable == ["website", "birthdate"]


def test_a_groups_description_and_own_entitlements_are_writable_and_nothing_else() -> None:
    schema = SCHEMAS[urns.AWS_GROUP]
    writable = {a.name for a in schema.attributes if a.mutability != "readOnly"}
    assert writable == {"description", "entitlements"}


def test_attribute_definitions_refuse_what_rfc7643_section7_forbids() -> None:
    with pytest.raises(ValueError, match="sub-attributes"):
        AttributeDefinition(name="a", sub_attributes=(AttributeDefinition(name="b"),))
    with pytest.raises(ValueError, match="sub-attributes"):
        AttributeDefinition(name="a", type="complex")
    with pytest.raises(ValueError, match="reference types"):
        AttributeDefinition(name="a", type="reference")
    with pytest.raises(ValueError, match="reference types"):
        AttributeDefinition(name="a", reference_types=("User",))
    with pytest.raises(ValueError, match="attribute name"):
        AttributeDefinition(name="1st")
    with pytest.raises(ValueError, match="repeat"):
        AttributeDefinition(
            name="a",
            type="complex",
            sub_attributes=(AttributeDefinition(name="b"), AttributeDefinition(name="B")),
        )


def test_service_provider_config_states_the_capabilities() -> None:
    config = service_provider_config(max_results=1000, documentation_uri="https://docs.example")
    assert config["schemas"] == [urns.SERVICE_PROVIDER_CONFIG]
    assert config["documentationUri"] == "https://docs.example"
    assert config["patch"] == {"supported": True}
    assert config["bulk"] == {"supported": False, "maxOperations": 0, "maxPayloadSize": 0}
    assert config["filter"] == {"supported": True, "maxResults": 1000}
    assert config["changePassword"] == {"supported": False}
    assert config["sort"] == {"supported": True}
    assert config["etag"] == {"supported": True}
    [scheme] = config["authenticationSchemes"]
    assert (scheme["type"], scheme["name"], scheme["primary"]) == (
        "oauthbearertoken",
        "Bearer token",
        True,
    )
    assert scheme["description"] and scheme["specUri"]
    assert config["meta"] == {"resourceType": "ServiceProviderConfig"}


def test_service_provider_config_leaves_out_an_unknown_documentation_uri() -> None:
    config = service_provider_config(
        max_results=50, documentation_uri=None, location="https://scim.example/v2/SPC"
    )
    assert "documentationUri" not in config
    assert "documentationUri" not in config["authenticationSchemes"][0]
    assert config["meta"]["location"] == "https://scim.example/v2/SPC"
