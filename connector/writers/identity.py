"""Identity Store writes: users, groups and memberships (synchronous in AWS).

Each function is one call. A mutating call answers the AWS request id it was
given (`Called`): the ledger records it as soon as AWS has acted, so that a
step whose follow-up read fails is known to have been made (and CloudTrail's
event for it can be matched). Missing objects on deletion count as deleted:
the request's goal is reached (`request_id` None: AWS did nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connector.aws import AwsClients
from connector.errors import AwsCallError
from connector.readers.groups import group_from_aws
from connector.readers.users import ENTERPRISE_EXTENSION, user_from_aws
from connector.records import Group, User

NOT_FOUND = "ResourceNotFoundException"


@dataclass(frozen=True)
class Called:
    """What a mutating call made (a new id, where it makes one) and AWS's request id."""

    request_id: str | None
    created_id: str | None = None


def request_id(response: Mapping[str, Any]) -> str:
    # Every AWS answer carries one; "unknown" still records that AWS answered.
    return str(response.get("ResponseMetadata", {}).get("RequestId") or "unknown")


def create_user(aws: AwsClients, store_id: str, params: Mapping[str, Any]) -> Called:
    response = aws.call("identitystore", "CreateUser", IdentityStoreId=store_id, **params)
    return Called(request_id(response), str(response["UserId"]))


def update_user(
    aws: AwsClients, store_id: str, user_id: str, operations: Sequence[Mapping[str, Any]]
) -> Called:
    response = aws.call(
        "identitystore",
        "UpdateUser",
        IdentityStoreId=store_id,
        UserId=user_id,
        Operations=list(operations),
    )
    return Called(request_id(response))


def describe_user(aws: AwsClients, store_id: str, user_id: str) -> User:
    item = aws.call(
        "identitystore",
        "DescribeUser",
        IdentityStoreId=store_id,
        UserId=user_id,
        Extensions=[ENTERPRISE_EXTENSION],
    )
    return user_from_aws(item)


def delete_user(aws: AwsClients, store_id: str, user_id: str) -> Called:
    """Delete; `request_id` None when AWS no longer had the user."""
    return _gone(
        lambda: aws.call("identitystore", "DeleteUser", IdentityStoreId=store_id, UserId=user_id)
    )


def create_group(aws: AwsClients, store_id: str, params: Mapping[str, Any]) -> Called:
    response = aws.call("identitystore", "CreateGroup", IdentityStoreId=store_id, **params)
    return Called(request_id(response), str(response["GroupId"]))


def update_group(
    aws: AwsClients, store_id: str, group_id: str, operations: Sequence[Mapping[str, Any]]
) -> Called:
    response = aws.call(
        "identitystore",
        "UpdateGroup",
        IdentityStoreId=store_id,
        GroupId=group_id,
        Operations=list(operations),
    )
    return Called(request_id(response))


def describe_group(aws: AwsClients, store_id: str, group_id: str) -> Group:
    item = aws.call("identitystore", "DescribeGroup", IdentityStoreId=store_id, GroupId=group_id)
    return group_from_aws(item)


def delete_group(aws: AwsClients, store_id: str, group_id: str) -> Called:
    return _gone(
        lambda: aws.call("identitystore", "DeleteGroup", IdentityStoreId=store_id, GroupId=group_id)
    )


def user_id_by_name(aws: AwsClients, store_id: str, user_name: str) -> str | None:
    """The id of the user with this userName, or None (GetUserId)."""
    try:
        response = aws.call(
            "identitystore",
            "GetUserId",
            IdentityStoreId=store_id,
            AlternateIdentifier=_unique("userName", user_name),
        )
    except AwsCallError as exc:
        if exc.code == NOT_FOUND:
            return None
        raise
    return str(response["UserId"])


def group_id_by_name(aws: AwsClients, store_id: str, display_name: str) -> str | None:
    """The id of the group with this displayName, or None (GetGroupId)."""
    try:
        response = aws.call(
            "identitystore",
            "GetGroupId",
            IdentityStoreId=store_id,
            AlternateIdentifier=_unique("displayName", display_name),
        )
    except AwsCallError as exc:
        if exc.code == NOT_FOUND:
            return None
        raise
    return str(response["GroupId"])


def _unique(path: str, value: str) -> dict[str, Any]:
    return {"UniqueAttribute": {"AttributePath": path, "AttributeValue": value}}


def membership_id(aws: AwsClients, store_id: str, group_id: str, user_id: str) -> str | None:
    """The membership's id, or None when the user is not a member."""
    try:
        response = aws.call(
            "identitystore",
            "GetGroupMembershipId",
            IdentityStoreId=store_id,
            GroupId=group_id,
            MemberId={"UserId": user_id},
        )
    except AwsCallError as exc:
        if exc.code == NOT_FOUND:
            return None
        raise
    return str(response["MembershipId"])


def add_member(aws: AwsClients, store_id: str, group_id: str, user_id: str) -> Called:
    response = aws.call(
        "identitystore",
        "CreateGroupMembership",
        IdentityStoreId=store_id,
        GroupId=group_id,
        MemberId={"UserId": user_id},
    )
    return Called(request_id(response), str(response["MembershipId"]))


def remove_member(aws: AwsClients, store_id: str, membership: str) -> Called:
    return _gone(
        lambda: aws.call(
            "identitystore",
            "DeleteGroupMembership",
            IdentityStoreId=store_id,
            MembershipId=membership,
        )
    )


def _gone(delete: Callable[[], Mapping[str, Any]]) -> Called:
    """Run a deletion; no request id when AWS no longer had the object (the goal
    is reached without a change)."""
    try:
        response = delete()
    except AwsCallError as exc:
        if exc.code == NOT_FOUND:
            return Called(None)
        raise
    return Called(request_id(response))
