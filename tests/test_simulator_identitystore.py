"""The simulated Identity Store behaves as AWS's does, not as plain moto's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from connector.simulator import SimulatedAws, simulated_aws
from tests.simulation import group, user


@pytest.fixture
def aws() -> Iterator[SimulatedAws]:
    with simulated_aws() as simulated:
        yield simulated


def join(aws: SimulatedAws, group_id: str, user_id: str) -> str:
    created = aws.identity_store.create_group_membership(
        IdentityStoreId=aws.identity_store_id, GroupId=group_id, MemberId={"UserId": user_id}
    )
    return str(created["MembershipId"])


def described_user(aws: SimulatedAws, user_id: str) -> dict[str, Any]:
    described: dict[str, Any] = aws.identity_store.describe_user(
        IdentityStoreId=aws.identity_store_id, UserId=user_id
    )
    described.pop("ResponseMetadata")
    return described


def update_user(aws: SimulatedAws, user_id: str, *operations: dict[str, Any]) -> None:
    aws.identity_store.update_user(
        IdentityStoreId=aws.identity_store_id, UserId=user_id, Operations=list(operations)
    )


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_update_user_replaces_and_removes_attributes(aws: SimulatedAws) -> None:
    user_id = user(aws, Title="Analyst", Emails=[{"Value": "ada@example.com", "Primary": True}])
    update_user(
        aws,
        user_id,
        {"AttributePath": "displayName", "AttributeValue": "Countess Ada"},
        {"AttributePath": "name.givenName", "AttributeValue": "Augusta"},
        {"AttributePath": "emails", "AttributeValue": [{"Value": "a@example.org", "Type": "work"}]},
        {"AttributePath": "nickName", "AttributeValue": "Ada"},
        {"AttributePath": "title"},
    )

    described = described_user(aws, user_id)
    assert described["DisplayName"] == "Countess Ada"
    assert described["Name"] == {"GivenName": "Augusta", "FamilyName": "Lovelace"}
    assert described["Emails"] == [{"Value": "a@example.org", "Type": "work"}]
    assert described["NickName"] == "Ada"
    assert "Title" not in described


def test_update_user_rejects_an_unknown_attribute_path(aws: SimulatedAws) -> None:
    user_id = user(aws)
    with pytest.raises(ClientError) as error:
        update_user(aws, user_id, {"AttributePath": "shoeSize", "AttributeValue": "42"})
    assert error_code(error) == "ValidationException"


def test_update_user_cannot_remove_a_required_attribute(aws: SimulatedAws) -> None:
    user_id = user(aws)
    with pytest.raises(ClientError) as error:
        update_user(aws, user_id, {"AttributePath": "userName"})
    assert error_code(error) == "ValidationException"


def test_update_user_to_a_taken_user_name_conflicts(aws: SimulatedAws) -> None:
    user(aws, "ada")
    bob = user(aws, "bob")
    with pytest.raises(ClientError) as error:
        update_user(aws, bob, {"AttributePath": "userName", "AttributeValue": "ada"})
    assert error_code(error) == "ConflictException"
    assert described_user(aws, bob)["UserName"] == "bob"


def test_user_renamed_by_update_is_found_by_its_new_name(aws: SimulatedAws) -> None:
    user_id = user(aws, "ada")
    update_user(aws, user_id, {"AttributePath": "userName", "AttributeValue": "ada.l"})

    found = aws.identity_store.get_user_id(
        IdentityStoreId=aws.identity_store_id,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": "ada.l"}
        },
    )
    assert found["UserId"] == user_id
    user(aws, "ada")  # the old name is free again


def test_update_group_changes_display_name_and_description(aws: SimulatedAws) -> None:
    group_id = group(aws, "Engineers")
    aws.identity_store.update_group(
        IdentityStoreId=aws.identity_store_id,
        GroupId=group_id,
        Operations=[
            {"AttributePath": "displayName", "AttributeValue": "Engineering"},
            {"AttributePath": "description"},
        ],
    )
    described = aws.identity_store.describe_group(
        IdentityStoreId=aws.identity_store_id, GroupId=group_id
    )
    assert described["DisplayName"] == "Engineering"
    assert "Description" not in described


def test_update_group_to_a_taken_display_name_conflicts(aws: SimulatedAws) -> None:
    group(aws, "Engineers")
    admins = group(aws, "Admins")
    with pytest.raises(ClientError) as error:
        aws.identity_store.update_group(
            IdentityStoreId=aws.identity_store_id,
            GroupId=admins,
            Operations=[{"AttributePath": "displayName", "AttributeValue": "Engineers"}],
        )
    assert error_code(error) == "ConflictException"


def test_update_group_rejects_an_unknown_attribute_path(aws: SimulatedAws) -> None:
    group_id = group(aws)
    with pytest.raises(ClientError) as error:
        aws.identity_store.update_group(
            IdentityStoreId=aws.identity_store_id,
            GroupId=group_id,
            Operations=[{"AttributePath": "members", "AttributeValue": []}],
        )
    assert error_code(error) == "ValidationException"


def test_create_group_membership_twice_conflicts(aws: SimulatedAws) -> None:
    group_id, user_id = group(aws), user(aws)
    join(aws, group_id, user_id)
    with pytest.raises(ClientError) as error:
        join(aws, group_id, user_id)
    assert error_code(error) == "ConflictException"
    memberships = aws.identity_store.list_group_memberships(
        IdentityStoreId=aws.identity_store_id, GroupId=group_id
    )["GroupMemberships"]
    assert len(memberships) == 1


@pytest.mark.parametrize(
    "create",
    [
        lambda aws: user(aws, "ada"),
        lambda aws: group(aws, "Engineers"),
    ],
    ids=["user name", "group display name"],
)
def test_creating_a_duplicate_name_conflicts(aws: SimulatedAws, create: Any) -> None:
    create(aws)
    with pytest.raises(ClientError) as error:
        create(aws)
    assert error_code(error) == "ConflictException"


def test_deleting_a_user_removes_its_memberships(aws: SimulatedAws) -> None:
    group_id, ada, bob = group(aws), user(aws, "ada"), user(aws, "bob")
    join(aws, group_id, ada)
    join(aws, group_id, bob)
    aws.identity_store.delete_user(IdentityStoreId=aws.identity_store_id, UserId=ada)

    members = aws.identity_store.list_group_memberships(
        IdentityStoreId=aws.identity_store_id, GroupId=group_id
    )["GroupMemberships"]
    assert [m["MemberId"]["UserId"] for m in members] == [bob]


def test_deleting_a_group_removes_its_memberships(aws: SimulatedAws) -> None:
    group_id, user_id = group(aws), user(aws)
    join(aws, group_id, user_id)
    aws.identity_store.delete_group(IdentityStoreId=aws.identity_store_id, GroupId=group_id)

    memberships = aws.identity_store.list_group_memberships_for_member(
        IdentityStoreId=aws.identity_store_id, MemberId={"UserId": user_id}
    )["GroupMemberships"]
    assert memberships == []


@pytest.mark.parametrize("operation", ["delete_user", "delete_group", "delete_group_membership"])
def test_deleting_something_unknown_is_not_found(aws: SimulatedAws, operation: str) -> None:
    missing = "4a0f2a2e-0000-0000-0000-000000000000"
    parameter = {"delete_user": "UserId", "delete_group": "GroupId"}.get(operation, "MembershipId")
    with pytest.raises(ClientError) as error:
        getattr(aws.identity_store, operation)(
            IdentityStoreId=aws.identity_store_id, **{parameter: missing}
        )
    assert error_code(error) == "ResourceNotFoundException"


@pytest.mark.parametrize(
    "operation",
    ["list_users", "list_groups", "list_group_memberships", "list_group_memberships_for_member"],
)
def test_list_operations_reject_max_results_above_100(aws: SimulatedAws, operation: str) -> None:
    params: dict[str, Any] = {"IdentityStoreId": aws.identity_store_id}
    if operation == "list_group_memberships":
        params["GroupId"] = group(aws)
    if operation == "list_group_memberships_for_member":
        params["MemberId"] = {"UserId": user(aws)}

    getattr(aws.identity_store, operation)(MaxResults=100, **params)
    with pytest.raises(ClientError) as error:
        getattr(aws.identity_store, operation)(MaxResults=101, **params)
    assert error_code(error) == "ValidationException"


def test_list_users_pages_with_next_token(aws: SimulatedAws) -> None:
    created = [user(aws, f"user{n}") for n in range(5)]
    seen: list[str] = []
    params: dict[str, Any] = {"IdentityStoreId": aws.identity_store_id, "MaxResults": 2}
    while True:
        page = aws.identity_store.list_users(**params)
        seen += [u["UserId"] for u in page["Users"]]
        if not page.get("NextToken"):
            break
        params["NextToken"] = page["NextToken"]
    assert seen == created


def test_create_user_takes_at_most_one_email(aws: SimulatedAws) -> None:
    emails = [{"Value": "a@example.com"}, {"Value": "b@example.com"}]
    with pytest.raises(ClientError) as error:
        user(aws, Emails=emails)
    assert error_code(error) == "ValidationException"


def test_a_revision_changes_on_every_write_and_guards_updates_and_deletes(
    aws: SimulatedAws,
) -> None:
    store = aws.identity_store_id
    user_id, group_id = user(aws), group(aws)
    first = described_user(aws, user_id)["Revision"]
    rename = {"AttributePath": "displayName", "AttributeValue": "Ada L."}
    aws.identity_store.update_user(
        IdentityStoreId=store, UserId=user_id, Operations=[rename], Revision=first
    )
    second = described_user(aws, user_id)["Revision"]
    assert second != first

    for call in (
        lambda: aws.identity_store.update_user(
            IdentityStoreId=store, UserId=user_id, Operations=[rename], Revision=first
        ),
        lambda: aws.identity_store.delete_user(
            IdentityStoreId=store, UserId=user_id, Revision=first
        ),
        lambda: aws.identity_store.delete_group(
            IdentityStoreId=store, GroupId=group_id, Revision=first
        ),
    ):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "ConflictException"
        assert refused.value.response["Reason"] == "CONCURRENT_MODIFICATION"
    assert described_user(aws, user_id)["Revision"] == second

    aws.identity_store.delete_user(IdentityStoreId=store, UserId=user_id, Revision=second)
    group_revision = aws.identity_store.describe_group(IdentityStoreId=store, GroupId=group_id)[
        "Revision"
    ]
    aws.identity_store.delete_group(
        IdentityStoreId=store, GroupId=group_id, Revision=group_revision
    )
    assert aws.identity_store.list_users(IdentityStoreId=store)["Users"] == []
