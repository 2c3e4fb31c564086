"""The simulated Identity Store holds, checks and returns a user's Photos, Roles,
Website, Birthdate and enterprise extension as AWS does (moto 5.2.5 has none)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from connector.simulator import SimulatedAws, simulated_aws
from tests.simulation import user

ENTERPRISE = "aws:identitystore:enterprise"
PROFILE: dict[str, Any] = {
    "Photos": [
        {"Value": "https://example.com/ada.png", "Type": "photo", "Primary": True},
        {"Value": "https://example.com/ada-small.png", "Type": "thumbnail", "Display": "small"},
    ],
    "Roles": [{"Value": "Researcher", "Type": "work", "Primary": True}],
    "Website": "https://ada.example.com",
    "Birthdate": "1815-12-10",
    "Extensions": {
        ENTERPRISE: {
            "employeeNumber": "1815",
            "costCenter": "CC-7",
            "organization": "Analytical Engines",
            "division": "Research",
            "department": "Mathematics",
            "manager": {"value": "0123456789-boss"},
        }
    },
}


@pytest.fixture
def aws() -> Iterator[SimulatedAws]:
    with simulated_aws() as simulated:
        yield simulated


def described(aws: SimulatedAws, user_id: str, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = aws.identity_store.describe_user(
        IdentityStoreId=aws.identity_store_id, UserId=user_id, **extra
    )
    found.pop("ResponseMetadata")
    return found


def update(aws: SimulatedAws, user_id: str, *operations: dict[str, Any]) -> None:
    aws.identity_store.update_user(
        IdentityStoreId=aws.identity_store_id, UserId=user_id, Operations=list(operations)
    )


def test_create_user_keeps_every_newer_attribute(aws: SimulatedAws) -> None:
    user_id = user(aws, **PROFILE)

    found = described(aws, user_id, Extensions=[ENTERPRISE])

    assert {key: found[key] for key in PROFILE} == PROFILE


def test_the_enterprise_extension_is_returned_only_when_asked_for(aws: SimulatedAws) -> None:
    user_id = user(aws, **PROFILE)

    plain = described(aws, user_id)
    listed = aws.identity_store.list_users(IdentityStoreId=aws.identity_store_id)["Users"]
    asked = aws.identity_store.list_users(
        IdentityStoreId=aws.identity_store_id, Extensions=[ENTERPRISE]
    )["Users"]

    assert "Extensions" not in plain and plain["Website"] == PROFILE["Website"]
    assert "Extensions" not in listed[0]
    assert asked[0]["Extensions"] == PROFILE["Extensions"]


def test_an_unknown_extension_is_refused(aws: SimulatedAws) -> None:
    user_id = user(aws)
    with pytest.raises(ClientError) as read:
        described(aws, user_id, Extensions=["aws:identitystore:other"])
    with pytest.raises(ClientError) as create:
        user(aws, "bea", Extensions={"aws:identitystore:other": {"department": "X"}})
    assert read.value.response["Error"]["Code"] == "ValidationException"
    assert create.value.response["Error"]["Code"] == "ValidationException"


def test_update_user_sets_and_removes_each_newer_attribute(aws: SimulatedAws) -> None:
    user_id = user(aws, **PROFILE)
    update(
        aws,
        user_id,
        {"AttributePath": "website", "AttributeValue": "https://lovelace.example.org"},
        {"AttributePath": "birthdate"},
        {"AttributePath": "roles", "AttributeValue": [{"Value": "Author"}]},
        {"AttributePath": "photos"},
        {"AttributePath": f"{ENTERPRISE}.department", "AttributeValue": "Poetry"},
        {"AttributePath": f"{ENTERPRISE}.costCenter"},
        {"AttributePath": f"{ENTERPRISE}.manager.value", "AttributeValue": "0123456789-new"},
    )

    found = described(aws, user_id, Extensions=[ENTERPRISE])

    assert found["Website"] == "https://lovelace.example.org"
    assert found["Roles"] == [{"Value": "Author"}]
    assert "Birthdate" not in found and "Photos" not in found
    enterprise = found["Extensions"][ENTERPRISE]
    assert enterprise["department"] == "Poetry"
    assert "costCenter" not in enterprise
    assert enterprise["manager"] == {"value": "0123456789-new"}


def test_removing_the_whole_extension_leaves_none(aws: SimulatedAws) -> None:
    user_id = user(aws, **PROFILE)
    update(aws, user_id, {"AttributePath": ENTERPRISE})
    assert "Extensions" not in described(aws, user_id, Extensions=[ENTERPRISE])


@pytest.mark.parametrize(
    "bad",
    [
        {"Birthdate": "10/12/1815"},
        {"Birthdate": "1815-13-40"},
        {"Roles": [{"Value": "A"}, {"Value": "B"}]},
        {"Photos": [{"Value": f"https://example.com/{n}.png"} for n in range(4)]},
        {"Photos": [{"Value": "https://e.com/1.png", "Primary": True}] * 2},
        {"Website": "w" * 1025},
        {"Extensions": {ENTERPRISE: {"shoeSize": "42"}}},
        {"Extensions": {ENTERPRISE: {"manager": "0123456789-boss"}}},
    ],
)
def test_create_user_checks_the_newer_attributes_as_aws_does(
    aws: SimulatedAws, bad: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as error:
        user(aws, **bad)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert aws.identity_store.list_users(IdentityStoreId=aws.identity_store_id)["Users"] == []


def test_update_user_checks_the_newer_attributes_and_changes_nothing(aws: SimulatedAws) -> None:
    user_id = user(aws, **PROFILE)
    before = described(aws, user_id, Extensions=[ENTERPRISE])
    with pytest.raises(ClientError) as error:
        update(
            aws,
            user_id,
            {"AttributePath": "website", "AttributeValue": "https://changed.example.com"},
            {"AttributePath": "birthdate", "AttributeValue": "yesterday"},
        )
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert described(aws, user_id, Extensions=[ENTERPRISE]) == before
