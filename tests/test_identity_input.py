"""SCIM documents become CreateUser/UpdateUser/CreateGroup/UpdateGroup input AWS accepts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connector.readers.users import ENTERPRISE_EXTENSION as ENTERPRISE
from connector.readers.users import user_from_aws
from connector.simulator import SimulatedAws, simulated_aws
from schemas import urns
from scim.errors import ScimError

# The served User document itself, so updates start from exactly what a client reads.
from scim.resources.common import Held
from scim.resources.users import _document as served_user_document
from scim.writes.identity_input import (
    group_create_params,
    group_update_operations,
    user_create_params,
    user_status_operations,
    user_update_operations,
)

ADA: dict[str, Any] = {
    "schemas": [urns.CORE_USER],
    "userName": "ada@example.com",
    "name": {
        "formatted": "Countess Ada Lovelace",
        "familyName": "Lovelace",
        "givenName": "Ada",
        "middleName": "Augusta",
        "honorificPrefix": "Countess",
        "honorificSuffix": "FRS",
    },
    "displayName": "Ada Lovelace",
    "nickName": "Ada",
    "profileUrl": "https://example.com/ada",
    "userType": "Employee",
    "title": "Analyst",
    "preferredLanguage": "en-GB",
    "locale": "en-GB",
    "timezone": "Europe/London",
    "active": True,
    "emails": [{"value": "ada@example.com", "type": "work", "primary": True}],
    "phoneNumbers": [{"value": "+44 20 7946 0000", "type": "work"}],
    "addresses": [
        {
            "streetAddress": "12 St James's Square",
            "locality": "London",
            "postalCode": "SW1Y 4JH",
            "country": "GB",
            "type": "home",
            "primary": True,
        }
    ],
}

ADA_IN_AWS: dict[str, Any] = {
    "UserName": "ada@example.com",
    "UserStatus": "ENABLED",  # every new user
    "Name": {
        "Formatted": "Countess Ada Lovelace",
        "FamilyName": "Lovelace",
        "GivenName": "Ada",
        "MiddleName": "Augusta",
        "HonorificPrefix": "Countess",
        "HonorificSuffix": "FRS",
    },
    "DisplayName": "Ada Lovelace",
    "NickName": "Ada",
    "ProfileUrl": "https://example.com/ada",
    "UserType": "Employee",
    "Title": "Analyst",
    "PreferredLanguage": "en-GB",
    "Locale": "en-GB",
    "Timezone": "Europe/London",
    "Emails": [{"Value": "ada@example.com", "Type": "work", "Primary": True}],
    "PhoneNumbers": [{"Value": "+44 20 7946 0000", "Type": "work", "Primary": False}],
    "Addresses": [
        {
            "StreetAddress": "12 St James's Square",
            "Locality": "London",
            "PostalCode": "SW1Y 4JH",
            "Country": "GB",
            "Type": "home",
            "Primary": True,
        }
    ],
}

MINIMAL: dict[str, Any] = {
    "userName": "grace",
    "displayName": "Grace Hopper",
    "name": {"givenName": "Grace", "familyName": "Hopper"},
}


@pytest.fixture
def aws() -> Iterator[SimulatedAws]:
    with simulated_aws() as simulated:
        yield simulated


def create_user(aws: SimulatedAws, document: dict[str, Any]) -> str:
    created = aws.identity_store.create_user(
        IdentityStoreId=aws.identity_store_id, **user_create_params(document)
    )
    return str(created["UserId"])


def described_user(aws: SimulatedAws, user_id: str) -> dict[str, Any]:
    described: dict[str, Any] = aws.identity_store.describe_user(
        IdentityStoreId=aws.identity_store_id, UserId=user_id
    )
    return described


def attributes(described: dict[str, Any]) -> dict[str, Any]:
    """A DescribeUser/DescribeGroup answer without its ids and metadata (and the
    Identity Store's record of who made it and when)."""
    ids = {"UserId", "GroupId", "IdentityStoreId", "ExternalIds", "ResponseMetadata"}
    ids |= {"CreatedAt", "CreatedBy", "UpdatedAt", "UpdatedBy", "Revision"}
    return {key: value for key, value in described.items() if key not in ids}


def served_user(aws: SimulatedAws, user_id: str) -> dict[str, Any]:
    """The document GET /Users/{id} serves for the user AWS holds."""
    user = user_from_aws(described_user(aws, user_id))
    return served_user_document(
        user, [], Held(), None, {}, {}, {}, aws.identity_store_id, "https://scim.example/v2", None
    )


def update_user(aws: SimulatedAws, user_id: str, operations: list[dict[str, Any]]) -> None:
    aws.identity_store.update_user(
        IdentityStoreId=aws.identity_store_id, UserId=user_id, Operations=operations
    )


def served_group(group_id: str, display_name: str, description: str | None) -> dict[str, Any]:
    """The shape scim.resources.groups serves."""
    return {
        "schemas": [urns.CORE_GROUP, urns.AWS_GROUP],
        "id": group_id,
        "externalId": None,
        "displayName": display_name,
        "members": [],
        urns.AWS_GROUP: {"description": description, "externalIds": [], "entitlements": []},
        "meta": {"resourceType": "Group"},
    }


def refusal(call: Any, *args: Any) -> ScimError:
    with pytest.raises(ScimError) as raised:
        call(*args)
    assert raised.value.status == 400
    assert raised.value.scim_type == "invalidValue"
    return raised.value


# -- CreateUser -----------------------------------------------------------------------------------


def test_create_params_are_accepted_and_read_back_as_the_document_said(aws: SimulatedAws) -> None:
    user_id = create_user(aws, ADA)

    assert attributes(described_user(aws, user_id)) == ADA_IN_AWS


def test_served_document_of_a_created_user_shows_what_was_posted(aws: SimulatedAws) -> None:
    served = served_user(aws, create_user(aws, ADA))

    assert {key: served[key] for key in ("userName", "name", "displayName", "timezone")} == {
        key: ADA[key] for key in ("userName", "name", "displayName", "timezone")
    }
    assert served["emails"] == ADA["emails"]


def test_unassigned_attributes_are_left_out_of_create_params(aws: SimulatedAws) -> None:
    document = MINIMAL | {"nickName": None, "title": "", "emails": [], "addresses": None}

    params = user_create_params(document)
    user_id = create_user(aws, document)

    assert params == {
        "UserName": "grace",
        "DisplayName": "Grace Hopper",
        "Name": {"GivenName": "Grace", "FamilyName": "Hopper"},
    }
    assert attributes(described_user(aws, user_id)) == params | {"UserStatus": "ENABLED"}


def test_attribute_names_are_matched_without_regard_to_case() -> None:
    document = {
        "UserName": "grace",
        "DISPLAYNAME": "Grace Hopper",
        "Name": {"GivenName": "Grace", "familyname": "Hopper"},
        "Emails": [{"Value": "grace@example.com", "PRIMARY": True}],
    }

    assert user_create_params(document) == user_create_params(
        MINIMAL | {"emails": [{"value": "grace@example.com", "primary": True}]}
    )


def test_read_only_and_caller_handled_attributes_do_not_change_create_params() -> None:
    document = MINIMAL | {
        "id": "ignored",
        "meta": {"resourceType": "User"},
        "groups": [{"value": "g-1"}],
        "entitlements": [{"value": "e-1"}],
        urns.AWS_USER: {"userStatus": "ENABLED"},
    }

    assert user_create_params(document) == user_create_params(MINIMAL)


@pytest.mark.parametrize(
    ("missing", "document"),
    [
        ("userName", {k: v for k, v in MINIMAL.items() if k != "userName"}),
        ("displayName", MINIMAL | {"displayName": None}),
        ("name.givenName", MINIMAL | {"name": {"familyName": "Hopper"}}),
        ("name.familyName", MINIMAL | {"name": {"givenName": "Grace", "familyName": ""}}),
    ],
)
def test_missing_required_attribute_is_refused(missing: str, document: dict[str, Any]) -> None:
    assert missing in refusal(user_create_params, document).detail


def test_all_missing_required_attributes_are_named_at_once() -> None:
    detail = refusal(user_create_params, {"userName": "grace"}).detail

    assert "displayName, name.givenName, name.familyName" in detail


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("userName", {"userName": 42}),
        ("name", {"name": "Grace Hopper"}),
        ("name.middleName", {"name": MINIMAL["name"] | {"middleName": ["B"]}}),
        ("emails", {"emails": "grace@example.com"}),
        ("emails[0]", {"emails": ["grace@example.com"]}),
        ("emails[0].primary", {"emails": [{"value": "g@example.com", "primary": "yes"}]}),
        ("phoneNumbers[0].value", {"phoneNumbers": [{"value": 5551234}]}),
        ("active", {"active": "false"}),
        ("externalId", {"externalId": 7}),
    ],
)
def test_wrong_json_type_is_refused(where: str, change: dict[str, Any]) -> None:
    assert refusal(user_create_params, MINIMAL | change).detail.startswith(where)


def test_email_without_value_is_refused() -> None:
    detail = refusal(user_create_params, MINIMAL | {"emails": [{"type": "work"}]}).detail

    assert detail.startswith("emails[0].value is required")


@pytest.mark.parametrize(
    ("attribute", "items"),
    [
        ("emails", [{"value": "a@example.com", "primary": True}, {"value": "b@example.com"}]),
        ("phoneNumbers", [{"value": "1"}, {"value": "2", "primary": True}]),
        ("addresses", [{"locality": "London"}, {"locality": "Paris"}]),
    ],
)
def test_more_than_one_email_phone_or_address_is_refused_not_trimmed(
    attribute: str, items: list[dict[str, Any]]
) -> None:
    detail = refusal(user_create_params, MINIMAL | {attribute: items}).detail

    assert detail.startswith(f"{attribute}: the Identity Store keeps at most one")


def test_the_identity_store_itself_refuses_a_second_email(aws: SimulatedAws) -> None:
    """Why we refuse rather than send both: AWS would fail the request anyway."""
    params = user_create_params(MINIMAL | {"emails": [{"value": "a@example.com"}]})
    params["Emails"].append({"Value": "b@example.com"})

    with pytest.raises(aws.identity_store.exceptions.ValidationException):
        aws.identity_store.create_user(IdentityStoreId=aws.identity_store_id, **params)


def test_user_name_with_white_space_is_refused() -> None:
    detail = refusal(user_create_params, MINIMAL | {"userName": "Grace Hopper"}).detail

    assert detail.startswith("userName contains ' '")


def test_white_space_is_accepted_where_aws_accepts_it(aws: SimulatedAws) -> None:
    user_id = create_user(aws, MINIMAL | {"title": "Rear\u00a0Admiral\tUSN"})

    assert described_user(aws, user_id)["Title"] == "Rear\u00a0Admiral\tUSN"


def test_value_longer_than_aws_allows_is_refused() -> None:
    assert "128" in refusal(user_create_params, MINIMAL | {"userName": "g" * 129}).detail
    assert "1024" in refusal(user_create_params, MINIMAL | {"title": "t" * 1025}).detail


def test_external_id_is_refused_on_create() -> None:
    detail = refusal(user_create_params, MINIMAL | {"externalId": "okta-00u1"}).detail

    assert detail.startswith("externalId cannot be set")


def test_a_user_posted_inactive_is_created_then_disabled() -> None:
    """CreateUser takes no status: the status is an UpdateUser after it."""
    assert user_create_params(MINIMAL | {"active": False}) == user_create_params(MINIMAL)
    assert user_create_params(MINIMAL | {"active": True}) == user_create_params(MINIMAL)
    assert user_status_operations(MINIMAL | {"active": False}) == (
        [{"AttributePath": "userStatus", "AttributeValue": "DISABLED"}],
        [{"AttributePath": "userStatus", "AttributeValue": "ENABLED"}],
    )
    assert user_status_operations(MINIMAL | {"active": True}) == ([], [])
    assert user_status_operations(MINIMAL) == ([], [])


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("password", "hunter2"),
        ("ims", [{"value": "grace", "type": "xmpp"}]),
        ("x509Certificates", [{"value": "MIIB..."}]),
    ],
)
def test_attribute_the_identity_store_cannot_hold_is_refused(attribute: str, value: Any) -> None:
    detail = refusal(user_create_params, MINIMAL | {attribute: value}).detail

    assert detail.startswith(attribute)


def test_unknown_sub_attribute_with_a_value_is_refused() -> None:
    document = MINIMAL | {"emails": [{"value": "g@example.com", "display": "Grace at work"}]}

    assert refusal(user_create_params, document).detail.startswith("emails[0].display")


# -- UpdateUser -----------------------------------------------------------------------------------


def test_update_operations_turn_the_user_into_the_desired_one_and_previous_restores_it(
    aws: SimulatedAws,
) -> None:
    user_id = create_user(aws, ADA)
    current = served_user(aws, user_id)
    desired = current | {
        "displayName": "Ada King",
        "name": current["name"] | {"familyName": "King", "honorificPrefix": None},
        "nickName": None,
        "emails": [{"value": "ada.king@example.com", "type": "home", "primary": True}],
        "phoneNumbers": [],
        "locale": "en-US",
    }

    operations, previous = user_update_operations(current, desired)
    update_user(aws, user_id, operations)

    assert attributes(described_user(aws, user_id)) == user_create_params(desired) | {
        "UserStatus": "ENABLED"
    }
    update_user(aws, user_id, previous)
    assert attributes(described_user(aws, user_id)) == ADA_IN_AWS


def test_only_changed_attributes_become_operations(aws: SimulatedAws) -> None:
    user_id = create_user(aws, ADA)
    current = served_user(aws, user_id)

    operations, previous = user_update_operations(current, current | {"title": "Engineer"})

    assert operations == [{"AttributePath": "title", "AttributeValue": "Engineer"}]
    assert previous == [{"AttributePath": "title", "AttributeValue": "Analyst"}]


def test_unchanged_document_gives_no_operations(aws: SimulatedAws) -> None:
    current = served_user(aws, create_user(aws, ADA))

    assert user_update_operations(current, current) == ([], [])


def test_removed_attribute_becomes_an_operation_without_value(aws: SimulatedAws) -> None:
    user_id = create_user(aws, ADA)
    current = served_user(aws, user_id)
    desired = {key: value for key, value in current.items() if key not in {"nickName", "emails"}}

    operations, _ = user_update_operations(current, desired)
    update_user(aws, user_id, operations)

    assert operations == [{"AttributePath": "nickName"}, {"AttributePath": "emails"}]
    assert {"NickName", "Emails"}.isdisjoint(described_user(aws, user_id))


def test_added_attribute_is_undone_by_removing_it(aws: SimulatedAws) -> None:
    user_id = create_user(aws, MINIMAL)
    current = served_user(aws, user_id)

    operations, previous = user_update_operations(current, current | {"title": "Admiral"})
    update_user(aws, user_id, operations)
    update_user(aws, user_id, previous)

    assert previous == [{"AttributePath": "title"}]
    assert "Title" not in described_user(aws, user_id)


@pytest.mark.parametrize(
    ("missing", "change"),
    [
        ("userName", {"userName": None}),
        ("displayName", {"displayName": ""}),
        ("name.givenName", {"name": {"familyName": "Lovelace"}}),
    ],
)
def test_removing_a_required_attribute_is_refused(
    aws: SimulatedAws, missing: str, change: dict[str, Any]
) -> None:
    current = served_user(aws, create_user(aws, ADA))

    assert missing in refusal(user_update_operations, current, current | change).detail


def test_update_refuses_a_second_email(aws: SimulatedAws) -> None:
    current = served_user(aws, create_user(aws, ADA))
    desired = current | {"emails": [*current["emails"], {"value": "other@example.com"}]}

    assert refusal(user_update_operations, current, desired).detail.startswith("emails:")


def test_served_external_id_and_enterprise_extension_may_be_sent_back_unchanged() -> None:
    enterprise = {"department": "Analytics", "manager": {"value": "u-1", "$ref": "../u-1"}}
    current = MINIMAL | {"externalId": "okta-00u1", urns.ENTERPRISE_USER: enterprise}
    sent_back = MINIMAL | {
        "externalId": "okta-00u1",
        urns.ENTERPRISE_USER: {"Department": "Analytics", "manager": {"value": "u-1"}},
    }

    assert user_update_operations(current, sent_back) == ([], [])


def test_changing_the_enterprise_extension_updates_its_members_and_undoes_them() -> None:
    current = MINIMAL | {urns.ENTERPRISE_USER: {"department": "A", "manager": {"value": "u-1"}}}
    desired = MINIMAL | {urns.ENTERPRISE_USER: {"department": "B", "costCenter": "CC-1"}}

    assert user_update_operations(current, desired) == (
        [
            {"AttributePath": f"{ENTERPRISE}.costCenter", "AttributeValue": "CC-1"},
            {"AttributePath": f"{ENTERPRISE}.department", "AttributeValue": "B"},
            {"AttributePath": f"{ENTERPRISE}.manager"},
        ],
        [
            {"AttributePath": f"{ENTERPRISE}.costCenter"},
            {"AttributePath": f"{ENTERPRISE}.department", "AttributeValue": "A"},
            {"AttributePath": f"{ENTERPRISE}.manager", "AttributeValue": {"value": "u-1"}},
        ],
    )


def test_changing_external_id_is_refused() -> None:
    current = MINIMAL | {"externalId": "okta-00u1"}

    external = refusal(user_update_operations, current, current | {"externalId": "okta-00u2"})

    assert external.detail.startswith("externalId cannot be set or changed")


def test_every_newer_attribute_becomes_a_create_user_parameter() -> None:
    document = MINIMAL | {
        "roles": [{"value": "Admiral", "type": "work", "primary": True}],
        "photos": [
            {"value": "https://example.com/g.png", "type": "photo", "primary": True},
            {"value": "https://example.com/t.png", "type": "thumbnail", "display": "small"},
        ],
        urns.AWS_USER: {"website": "https://grace.example.com", "birthdate": "1906-12-09"},
        urns.ENTERPRISE_USER: {"employeeNumber": "1906", "manager": {"value": "u-1"}},
    }

    params = user_create_params(document)

    assert params["Roles"] == [{"Value": "Admiral", "Type": "work", "Primary": True}]
    assert params["Photos"] == [
        {"Value": "https://example.com/g.png", "Type": "photo", "Primary": True},
        {
            "Value": "https://example.com/t.png",
            "Display": "small",
            "Type": "thumbnail",
            "Primary": False,
        },
    ]
    assert (params["Website"], params["Birthdate"]) == ("https://grace.example.com", "1906-12-09")
    assert params["Extensions"] == {
        ENTERPRISE: {"employeeNumber": "1906", "manager": {"value": "u-1"}}
    }


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"photos": [{"value": "not a url"}]}, "photos[0].value 'not a url' is not a URL"),
        ({"photos": [{"value": f"https://e.com/{n}.png"} for n in range(4)]}, "photos:"),
        ({"photos": [{"value": "https://e.com/1.png", "primary": True}] * 2}, "photos:"),
        ({"roles": [{"value": "a"}, {"value": "b"}]}, "roles:"),
        ({"roles": [{"value": "a", "display": "A"}]}, "roles[0].display"),
        ({urns.AWS_USER: {"birthdate": "09/12/1906"}}, f"{urns.AWS_USER}:birthdate '09/12/1906'"),
        ({urns.AWS_USER: {"birthdate": "1906-02-30"}}, f"{urns.AWS_USER}:birthdate"),
        ({urns.ENTERPRISE_USER: {"shoeSize": "42"}}, f"{urns.ENTERPRISE_USER}.shoeSize"),
        ({urns.ENTERPRISE_USER: {"department": "x" * 1025}}, f"{urns.ENTERPRISE_USER}:department"),
    ],
)
def test_a_bad_newer_attribute_is_refused_naming_it(change: dict[str, Any], named: str) -> None:
    assert refusal(user_create_params, MINIMAL | change).detail.startswith(named)


def test_active_becomes_the_user_status_and_is_left_alone_when_not_asserted(
    aws: SimulatedAws,
) -> None:
    active = MINIMAL | {"active": True}
    disabled = MINIMAL | {"active": False}
    disable = {"AttributePath": "userStatus", "AttributeValue": "DISABLED"}
    enable = {"AttributePath": "userStatus", "AttributeValue": "ENABLED"}

    assert user_update_operations(active, disabled) == ([disable], [enable])
    assert user_update_operations(disabled, active) == ([enable], [disable])
    assert user_update_operations(disabled, disabled) == ([], [])
    assert user_update_operations(disabled, MINIMAL) == ([], [])  # RFC 7644 §3.5.1

    user_id = create_user(aws, ADA)
    aws.identity_store.update_user(
        IdentityStoreId=aws.identity_store_id, UserId=user_id, Operations=[disable]
    )
    assert described_user(aws, user_id)["UserStatus"] == "DISABLED"
    aws.identity_store.update_user(
        IdentityStoreId=aws.identity_store_id, UserId=user_id, Operations=[enable]
    )
    assert described_user(aws, user_id)["UserStatus"] == "ENABLED"


# -- CreateGroup and UpdateGroup ------------------------------------------------------------------


def test_group_create_params_are_accepted_and_read_back(aws: SimulatedAws) -> None:
    document = {
        "schemas": [urns.CORE_GROUP, urns.AWS_GROUP],
        "displayName": "Analysts",
        "members": [{"value": "u-1"}],
        urns.AWS_GROUP: {"description": "Everyone who analyses"},
    }

    params = group_create_params(document)
    created = aws.identity_store.create_group(IdentityStoreId=aws.identity_store_id, **params)
    described = aws.identity_store.describe_group(
        IdentityStoreId=aws.identity_store_id, GroupId=created["GroupId"]
    )

    assert params == {"DisplayName": "Analysts", "Description": "Everyone who analyses"}
    assert attributes(described) == params


def test_group_update_operations_apply_and_previous_restores(aws: SimulatedAws) -> None:
    created = aws.identity_store.create_group(
        IdentityStoreId=aws.identity_store_id, DisplayName="Analysts", Description="All"
    )
    group_id = created["GroupId"]
    current = served_group(group_id, "Analysts", "All")
    desired = current | {"displayName": "Analytics", urns.AWS_GROUP: {"description": None}}

    operations, previous = group_update_operations(current, desired)
    aws.identity_store.update_group(
        IdentityStoreId=aws.identity_store_id, GroupId=group_id, Operations=operations
    )
    changed = aws.identity_store.describe_group(
        IdentityStoreId=aws.identity_store_id, GroupId=group_id
    )
    aws.identity_store.update_group(
        IdentityStoreId=aws.identity_store_id, GroupId=group_id, Operations=previous
    )
    restored = aws.identity_store.describe_group(
        IdentityStoreId=aws.identity_store_id, GroupId=group_id
    )

    assert operations == [
        {"AttributePath": "displayName", "AttributeValue": "Analytics"},
        {"AttributePath": "description"},
    ]
    assert attributes(changed) == {"DisplayName": "Analytics"}
    assert attributes(restored) == {"DisplayName": "Analysts", "Description": "All"}
    assert group_update_operations(current, current) == ([], [])


def test_group_without_display_name_is_refused() -> None:
    document = {urns.AWS_GROUP: {"description": "nameless"}}

    assert "displayName" in refusal(group_create_params, document).detail
    current = served_group("g-1", "Analysts", None)
    assert (
        "displayName"
        in refusal(group_update_operations, current, current | {"displayName": ""}).detail
    )


def test_group_wrong_types_and_external_id_are_refused() -> None:
    assert refusal(group_create_params, {"displayName": ["Analysts"]}).detail.startswith(
        "displayName must be a string"
    )
    assert refusal(
        group_create_params, {"displayName": "A", urns.AWS_GROUP: "described"}
    ).detail.startswith(f"{urns.AWS_GROUP} must be an object")
    assert refusal(
        group_create_params, {"displayName": "A", "externalId": "entra-1"}
    ).detail.startswith("externalId cannot be set")
