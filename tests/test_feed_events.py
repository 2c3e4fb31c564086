"""The change feed reads CloudTrail records as AWS writes them, and names what each changed.

The records are the documented examples (IAM Identity Center and Organizations
user guides' CloudTrail pages), abridged; each test asserts the targets the
feed would re-read, or the refusal of a record it cannot read.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector.feed import mapping
from connector.feed.accounts import AccountTarget
from connector.feed.applications import ApplicationTarget
from connector.feed.assignments import PairAssignments
from connector.feed.events import MalformedEvent, from_eventbridge, from_lookup, parse_record
from connector.feed.groups import GroupTarget
from connector.feed.memberships import GroupMembers
from connector.feed.permission_sets import PermissionSetTarget
from connector.feed.users import UserTarget

INSTANCE = "arn:aws:sso:::instance/ssoins-72233af8ea2d1f14"
STORE = "d-906791299c"
PS = "arn:aws:sso:::permissionSet/ssoins-72233af8ea2d1f14/ps-ae5d1fa1f80b684e"
GROUP = "34887428-4081-7042-c3c6-928d413009e7"


def record(source: str, name: str, **fields: Any) -> dict[str, Any]:
    return {
        "eventVersion": "1.08",
        "eventTime": "2023-04-25T19:24:49Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "requestID": "f8604aff-1de0-48ba-b228-f65559e504c1",
        "eventID": "bea150ce-0000-4000-8000-000000000001",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_1/alice",
        },
        **fields,
    }


ASSIGNMENT = record(
    "sso.amazonaws.com",
    "CreateAccountAssignment",
    requestParameters={
        "instanceArn": INSTANCE,
        "targetId": "444455556666",
        "targetType": "AWS_ACCOUNT",
        "permissionSetArn": PS,
        "principalType": "GROUP",
        "principalId": GROUP,
    },
    responseElements={
        "accountAssignmentCreationStatus": {
            "status": "IN_PROGRESS",
            "requestId": "f8604aff-1de0-48ba-b228-f65559e504c1",
        }
    },
)


def targets(raw: dict[str, Any]) -> list[Any]:
    return mapping.named_by(parse_record(raw))


def test_an_assignment_names_its_pair_and_what_it_asked_for() -> None:
    assert targets(ASSIGNMENT) == [PairAssignments("444455556666", PS, ("GROUP", GROUP, True))]
    deleted = ASSIGNMENT | {"eventName": "DeleteAccountAssignment"}
    assert targets(deleted) == [PairAssignments("444455556666", PS, ("GROUP", GROUP, False))]


def test_the_console_names_a_group_by_its_id_and_its_members_by_the_group() -> None:
    created = record(
        "sso-directory.amazonaws.com",
        "CreateGroup",
        requestParameters={
            "identityStoreId": STORE,
            "displayName": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        responseElements={
            "group": {"groupId": GROUP, "displayName": "HIDDEN_DUE_TO_SECURITY_REASONS"}
        },
    )
    added = record(
        "sso-directory.amazonaws.com",
        "AddMemberToGroup",
        requestParameters={
            "identityStoreId": STORE,
            "groupId": GROUP,
            "member": {"memberId": "u1"},
        },
        responseElements=None,
    )
    assert targets(created) == [GroupTarget(GROUP)]
    assert targets(added) == [GroupMembers(GROUP)]


def test_the_identity_store_api_names_users_and_memberships() -> None:
    created = record(
        "identitystore.amazonaws.com",
        "CreateUser",
        requestParameters={"identityStoreId": STORE, "userName": "ada"},
        responseElements={"userId": "u1", "identityStoreId": STORE},
    )
    updated = record(
        "identitystore.amazonaws.com",
        "UpdateUser",
        requestParameters={"identityStoreId": STORE, "userId": "u1", "operations": []},
    )
    deleted_membership = record(
        "identitystore.amazonaws.com",
        "DeleteGroupMembership",
        requestParameters={"identityStoreId": STORE, "membershipId": "m1"},
    )
    assert targets(created) == [UserTarget("u1", with_groups=True)]
    assert targets(updated) == [UserTarget("u1")]
    (by_id,) = targets(deleted_membership)
    assert isinstance(by_id, mapping.MembershipById) and by_id.membership_id == "m1"


def test_scim_provisioning_names_the_resource_by_its_id() -> None:
    created = record(
        "identitystore-scim.amazonaws.com",
        "CreateUser",
        requestParameters={"httpBody": {"userName": "HIDDEN_DUE_TO_SECURITY_REASONS"}},
        responseElements={"id": "c4488478-a0e1-700e-3d75-96c6bb641596"},
    )
    patched = record(
        "identitystore-scim.amazonaws.com", "PatchGroup", requestParameters={"id": GROUP}
    )
    assert targets(created) == [UserTarget("c4488478-a0e1-700e-3d75-96c6bb641596", True)]
    assert targets(patched) == [GroupTarget(GROUP), GroupMembers(GROUP)]


def test_permission_set_changes_and_tags_name_the_permission_set() -> None:
    inline = record(
        "sso.amazonaws.com",
        "PutInlinePolicyToPermissionSet",
        requestParameters={"instanceArn": INSTANCE, "permissionSetArn": PS},
    )
    tagged = record(
        "sso.amazonaws.com",
        "TagResource",
        requestParameters={"instanceArn": INSTANCE, "resourceArn": PS, "tags": []},
    )
    assert targets(inline) == targets(tagged) == [PermissionSetTarget(PS)]


def test_accounts_are_named_by_request_service_event_or_the_renamed_caller() -> None:
    created = record(
        "organizations.amazonaws.com",
        "CreateAccountResult",
        eventType="AwsServiceEvent",
        requestParameters=None,
        responseElements=None,
        serviceEventDetails={
            "createAccountStatus": {"state": "SUCCEEDED", "accountId": "444455556666"}
        },
    )
    moved = record(
        "organizations.amazonaws.com",
        "MoveAccount",
        requestParameters={"accountId": "777788889999", "destinationParentId": "ou-1"},
    )
    renamed = record(
        "account.amazonaws.com", "PutAccountName", requestParameters={"accountName": "x"}
    )
    assert targets(created) == [AccountTarget("444455556666")]
    assert targets(moved) == [AccountTarget("777788889999")]
    assert targets(renamed) == [AccountTarget("111122223333")]


def test_failed_read_only_and_unknown_calls_change_nothing() -> None:
    assert targets(ASSIGNMENT | {"errorCode": "AccessDenied"}) == []
    assert targets(ASSIGNMENT | {"readOnly": True}) == []
    assert targets(ASSIGNMENT | {"eventName": "ListAccountAssignments"}) == []
    assert targets(record("sso.amazonaws.com", "Federate")) == []


def test_events_of_another_instance_or_identity_store_are_foreign() -> None:
    event = parse_record(ASSIGNMENT)
    assert not mapping.foreign(event, INSTANCE, STORE)
    assert mapping.foreign(event, "arn:aws:sso:::instance/ssoins-other", STORE)
    user = parse_record(
        record(
            "identitystore.amazonaws.com",
            "UpdateUser",
            requestParameters={"identityStoreId": "d-other", "userId": "u1"},
        )
    )
    assert mapping.foreign(user, INSTANCE, STORE)


def test_application_events_name_the_application_and_its_instance_by_its_arn() -> None:
    ours = "arn:aws:sso::111122223333:application/ssoins-72233af8ea2d1f14/apl-aaaaaaaaaaaaaaaa"
    theirs = "arn:aws:sso::111122223333:application/ssoins-0000000000000000/apl-bbbbbbbbbbbbbbbb"
    assigned = record(
        "sso.amazonaws.com",
        "CreateApplicationAssignment",
        requestParameters={"applicationArn": ours, "principalId": GROUP, "principalType": "GROUP"},
    )
    created = record(
        "sso.amazonaws.com",
        "CreateApplication",
        requestParameters={"instanceArn": INSTANCE, "name": "Payroll"},
        responseElements={"applicationArn": ours},
    )
    assert targets(assigned) == [ApplicationTarget(ours)]
    assert targets(created) == [ApplicationTarget(ours)]
    assert not mapping.foreign(parse_record(assigned), INSTANCE, STORE)
    elsewhere = assigned | {"requestParameters": {"applicationArn": theirs}}
    assert mapping.foreign(parse_record(elsewhere), INSTANCE, STORE)


def test_who_made_a_change_before_and_after_july_2025() -> None:
    assert parse_record(ASSIGNMENT).actor.name == "AWSReservedSSO_Admin_1/alice"
    behalf = {
        "userId": "a1-user",
        "identityStoreArn": f"arn:aws:identitystore::1:identitystore/{STORE}",
    }
    before = {"type": "Unknown", "userName": "anyuser", "onBehalfOf": behalf}
    after = {"type": "IdentityCenterUser", "onBehalfOf": behalf}
    for identity in (before, after):
        assert parse_record(ASSIGNMENT | {"userIdentity": identity}).actor.name == (
            "Identity Center user a1-user"
        )


def test_both_sources_carry_the_same_record() -> None:
    from_history = from_lookup({"EventId": "x", "CloudTrailEvent": json.dumps(ASSIGNMENT)})
    delivered = from_eventbridge(
        json.dumps(
            {
                "detail-type": "AWS API Call via CloudTrail",
                "source": "aws.sso",
                "detail": ASSIGNMENT,
            }
        )
    )
    assert from_history == delivered == parse_record(ASSIGNMENT)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"detail-type": "User Created", "detail": {}}),
        json.dumps({"detail-type": "AWS API Call via CloudTrail", "detail": "x"}),
        json.dumps({"detail-type": "AWS API Call via CloudTrail", "detail": {"eventID": "e"}}),
        json.dumps(
            {
                "detail-type": "AWS API Call via CloudTrail",
                "detail": ASSIGNMENT | {"eventTime": "yesterday"},
            }
        ),
    ],
)
def test_a_message_that_is_not_a_cloudtrail_event_is_malformed(body: str) -> None:
    with pytest.raises(MalformedEvent):
        from_eventbridge(body)
