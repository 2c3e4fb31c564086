"""Resources and messages dump as RFC 7643/7644 JSON, with unassigned values left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from marshmallow import Schema, fields

from schemas import urns
from schemas.attributes import AttributeDefinition
from schemas.definitions import COMMON_ATTRIBUTES, RESOURCE_TYPES, SCHEMAS
from schemas.resources import (
    RESOURCE_SCHEMAS,
    ErrorSchema,
    ListResponseSchema,
    dump_error,
    dump_list_response,
    dump_resource,
)


def declared_names(attributes: tuple[AttributeDefinition, ...]) -> dict[str, Any]:
    return {a.name: declared_names(a.sub_attributes) for a in attributes}


def field_names(schema: Schema) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for name, field in schema.fields.items():
        nested = field.schema if isinstance(field, fields.Nested) else None
        names[name] = field_names(nested) if nested is not None else {}
    return names


@pytest.mark.parametrize("resource_type", list(RESOURCE_TYPES))
def test_dump_schemas_hold_exactly_the_published_attributes(resource_type: str) -> None:
    definition = RESOURCE_TYPES[resource_type]
    expected = declared_names(COMMON_ATTRIBUTES)
    expected |= declared_names(SCHEMAS[definition.schema].attributes)
    expected |= {urn: declared_names(SCHEMAS[urn].attributes) for urn in definition.schema_ids[1:]}
    assert field_names(RESOURCE_SCHEMAS[resource_type]) == expected


def test_dump_drops_nulls_empty_lists_and_empty_objects() -> None:
    dumped = dump_resource(
        "User",
        {
            "id": "u-1",
            "externalId": None,
            "userName": "ada",
            "name": {"givenName": "Ada", "familyName": None},
            "nickName": None,
            "emails": [{"value": "ada@example.com", "primary": True}, {"value": None}],
            "phoneNumbers": [],
            "addresses": [{"type": None}],
            "groups": [None],
            urns.ENTERPRISE_USER: {"department": None, "manager": {"value": None}},
            urns.AWS_USER: {"externalIds": [], "effectiveAccess": [{"via": None}]},
            "meta": {"version": None},
        },
    )
    assert dumped == {
        "schemas": [urns.CORE_USER],
        "id": "u-1",
        "userName": "ada",
        "name": {"givenName": "Ada"},
        "emails": [{"value": "ada@example.com", "primary": True}],
        "meta": {"resourceType": "User"},
    }


def test_dump_keeps_false_zero_and_empty_strings() -> None:
    dumped = dump_resource(
        "Entitlement",
        {
            "id": "e-1",
            "provisioned": False,
            "policySummary": {"hasInlinePolicy": False, "managedPolicies": []},
            "displayName": "",
        },
    )
    assert dumped["provisioned"] is False
    assert dumped["policySummary"] == {"hasInlinePolicy": False}
    assert dumped["displayName"] == ""


def test_dump_orders_schemas_first_and_meta_last_and_names_the_extensions_present() -> None:
    dumped = dump_resource(
        "User",
        {
            "meta": {"lastModified": "2024-05-01T10:00:00Z", "resourceType": "Wrong"},
            urns.AWS_USER: {"identityStoreId": "d-1234567890"},
            "userName": "ada",
            "id": "u-1",
            "schemas": ["ignored"],
        },
    )
    assert list(dumped) == ["schemas", "id", "userName", urns.AWS_USER, "meta"]
    assert dumped["schemas"] == [urns.CORE_USER, urns.AWS_USER]
    assert dumped["meta"] == {"resourceType": "User", "lastModified": "2024-05-01T10:00:00Z"}


def test_dump_follows_the_published_attribute_order() -> None:
    dumped = dump_resource(
        "Group",
        {
            urns.AWS_GROUP: {"description": "Admins"},
            "members": [{"type": "User", "value": "u-1", "display": "Ada"}],
            "displayName": "admins",
            "externalId": "x-1",
            "id": "g-1",
        },
    )
    assert list(dumped) == [
        "schemas",
        "id",
        "externalId",
        "displayName",
        "members",
        urns.AWS_GROUP,
        "meta",
    ]
    assert list(dumped["members"][0]) == ["value", "display", "type"]


def test_dump_leaves_out_what_the_schemas_do_not_publish() -> None:
    dumped = dump_resource(
        "AwsAccount",
        {"id": "111122223333", "name": "prod", "password": "s3cret", "values": [1], "items": 2},
    )
    assert dumped == {
        "schemas": [urns.AWS_ACCOUNT],
        "id": "111122223333",
        "name": "prod",
        "meta": {"resourceType": "AwsAccount"},
    }


def test_dump_writes_datetimes_as_utc_xsd_datetimes() -> None:
    paris = timezone(timedelta(hours=2))
    dumped = dump_resource(
        "PermissionSet",
        {
            "id": "ps-1",
            "meta": {
                "created": datetime(2024, 5, 1, 12, 0, tzinfo=paris),
                "lastModified": datetime(2024, 5, 2, 8, 30),
            },
        },
    )
    assert dumped["meta"]["created"] == "2024-05-01T10:00:00Z"
    assert dumped["meta"]["lastModified"] == "2024-05-02T08:30:00Z"
    assert datetime.fromisoformat(dumped["meta"]["created"]).tzinfo == UTC


def test_dump_keeps_a_full_entitlement_as_given() -> None:
    document = {
        "id": "e-1",
        "displayName": "ReadOnly @ prod-payments (111122223333)",
        "type": "permissionSet",
        "provisioned": True,
        "permissionSet": {
            "value": "ps-1",
            "arn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1",
            "name": "ReadOnly",
            "description": "Read-only access",
            "sessionDuration": "PT1H",
            "$ref": "https://scim.example/v2/PermissionSets/ps-1",
        },
        "policySummary": {
            "managedPolicies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            "customerManagedPolicies": ["/team/Boundary"],
            "hasInlinePolicy": True,
            "permissionsBoundary": "arn:aws:iam::aws:policy/PowerUserAccess",
        },
        "account": {
            "value": "111122223333",
            "name": "prod-payments",
            "status": "ACTIVE",
            "$ref": "https://scim.example/v2/AwsAccounts/111122223333",
        },
        "members": [
            {
                "value": "g-1",
                "$ref": "https://scim.example/v2/Groups/g-1",
                "display": "admins",
                "type": "Group",
            }
        ],
    }
    dumped = dump_resource("Entitlement", document)
    assert dumped == {
        "schemas": [urns.ENTITLEMENT],
        **document,
        "meta": {"resourceType": "Entitlement"},
    }


def test_user_effective_access_has_one_flat_entry_per_route() -> None:
    direct = {
        "value": "e-1",
        "display": "ReadOnly @ prod (111122223333)",
        "accountId": "111122223333",
        "permissionSetName": "ReadOnly",
        "via": "direct",
    }
    via_group = direct | {"via": "group", "viaGroup": "g-1", "viaGroupDisplay": "admins"}
    dumped = dump_resource(
        "User", {"id": "u-1", urns.AWS_USER: {"effectiveAccess": [direct, via_group]}}
    )
    assert dumped[urns.AWS_USER] == {"effectiveAccess": [direct, via_group]}


def test_list_response_always_carries_resources() -> None:
    assert dump_list_response([], total_results=0) == {
        "schemas": [urns.LIST_RESPONSE],
        "totalResults": 0,
        "startIndex": 1,
        "itemsPerPage": 0,
        "Resources": [],
    }
    page = dump_list_response([{"id": "a"}], total_results=7, start_index=3)
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (7, 3, 1)
    assert page["Resources"] == [{"id": "a"}]


def test_list_response_schema_dumps_a_scim_shaped_mapping() -> None:
    dumped = ListResponseSchema().dump(
        {"schemas": ["x"], "totalResults": 0, "startIndex": None, "Resources": []}
    )
    assert dumped == {"schemas": [urns.LIST_RESPONSE], "totalResults": 0, "Resources": []}


def test_error_status_is_a_string_and_absent_parts_are_left_out() -> None:
    assert dump_error(404, "User u-1 not found") == {
        "schemas": [urns.ERROR],
        "status": "404",
        "detail": "User u-1 not found",
    }
    assert dump_error(400, "bad filter", scim_type="invalidFilter")["scimType"] == "invalidFilter"
    assert ErrorSchema().dump({"status": 500}) == {"schemas": [urns.ERROR], "status": "500"}


def test_dump_error_refuses_a_scim_type_rfc7644_does_not_define() -> None:
    with pytest.raises(ValueError, match="scimType"):
        dump_error(400, "bad", scim_type="badThing")
