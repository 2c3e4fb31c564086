"""The simulator records a CloudTrail event for each successful write, in AWS's record shape.

moto records nothing: these tests fail against plain moto. The events are read
back with LookupEvents (tests/test_simulator_lookup_events.py tests that call
itself) and picked out by ``requestID``, the request id botocore read from the
answer, as a change feed recognises its own calls.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.core.base_backend import BackendDict

from connector.simulator import (
    ManualClock,
    SimulatedAws,
    apply_corrections,
    behaviour,
    reset_behaviour,
    start_server,
)
from connector.simulator import simulated_aws as simulated
from connector.simulator.cloudtrail import (
    HIDDEN,
    IdentityCenterUser,
    console_administrator,
    register_principal,
)
from connector.simulator.cloudtrail.record import event_region

ALICE_KEY = "AKIAALICE00000000001"
BOB_KEY = "AKIABOBPORTAL0000002"
NO_RETRIES = Config(retries={"total_max_attempts": 1})

_clients: dict[tuple[str, str, str | None], Any] = {}


def client(service: str, region: str = "us-east-1", key: str | None = None) -> Any:
    """A boto3 client on the in-process simulator, signed with ``key`` if given (made once)."""
    if (service, region, key) not in _clients:
        credentials = {"aws_access_key_id": key, "aws_secret_access_key": "x"} if key else {}
        _clients[service, region, key] = boto3.client(
            service, region_name=region, config=NO_RETRIES, **credentials
        )
    return _clients[service, region, key]


@contextmanager
def clocked() -> Iterator[tuple[SimulatedAws, ManualClock]]:
    """The in-process simulator, its time on a ManualClock."""
    with simulated() as aws:
        clock = ManualClock(start=1000.0)
        behaviour().update(clock=clock)
        yield aws, clock


@contextmanager
def served() -> Iterator[Callable[[str], Any]]:
    """The simulator over HTTP, on fresh backends; yields a maker of boto3 clients on it."""
    BackendDict.reset()
    reset_behaviour()
    server, endpoint = start_server()
    try:
        yield lambda service: boto3.client(
            service,
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    finally:
        server.stop()
        BackendDict.reset()
        reset_behaviour()


@dataclass
class World:
    """The simulator with an organisation, an account, a permission set, a user and a group."""

    aws: SimulatedAws
    clock: ManualClock
    account_id: str
    root_id: str
    unit_id: str
    permission_set_arn: str
    user_id: str
    group_id: str


@pytest.fixture
def world() -> Iterator[World]:
    with clocked() as (aws, clock):
        organizations = aws.organizations
        organizations.create_organization(FeatureSet="ALL")
        root_id = organizations.list_roots()["Roots"][0]["Id"]
        unit_id = organizations.create_organizational_unit(ParentId=root_id, Name="Workloads")[
            "OrganizationalUnit"
        ]["Id"]
        account_id = organizations.create_account(AccountName="prod", Email="prod@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        permission_set_arn = aws.sso_admin.create_permission_set(
            InstanceArn=aws.instance_arn, Name="Readers"
        )["PermissionSet"]["PermissionSetArn"]
        user_id = aws.identity_store.create_user(
            IdentityStoreId=aws.identity_store_id,
            UserName="ada",
            DisplayName="Ada",
            Name={"GivenName": "Ada", "FamilyName": "Lovelace"},
        )["UserId"]
        group_id = aws.identity_store.create_group(
            IdentityStoreId=aws.identity_store_id, DisplayName="Engineers"
        )["GroupId"]
        yield World(aws, clock, account_id, root_id, unit_id, permission_set_arn, user_id, group_id)


def all_events(region: str = "us-east-1") -> list[dict[str, Any]]:
    """Every delivered event of the region, newest first, as LookupEvents lists them."""
    pages = client("cloudtrail", region).get_paginator("lookup_events").paginate()
    return [event for page in pages for event in page["Events"]]


def event_of(answer: dict[str, Any], region: str = "us-east-1") -> dict[str, Any]:
    """The one record whose requestID is the answer's request id."""
    request_id = answer["ResponseMetadata"]["RequestId"]
    records = [json.loads(e["CloudTrailEvent"]) for e in all_events(region)]
    matching = [r for r in records if r.get("requestID") == request_id]
    assert len(matching) == 1, f"{len(matching)} events for request {request_id}"
    return matching[0]


def assignment(w: World) -> dict[str, str]:
    return {
        "InstanceArn": w.aws.instance_arn,
        "TargetId": w.account_id,
        "TargetType": "AWS_ACCOUNT",
        "PermissionSetArn": w.permission_set_arn,
        "PrincipalType": "GROUP",
        "PrincipalId": w.group_id,
    }


def lower_camel(params: dict[str, Any]) -> dict[str, Any]:
    return {name[0].lower() + name[1:]: value for name, value in params.items()}


# Each write the connector makes: (call it, requestParameters expected, responseElements check).
Write = Callable[[World], tuple[dict[str, Any], dict[str, Any], Callable[[Any], bool]]]


def create_account_assignment(w: World) -> Any:
    answer = w.aws.sso_admin.create_account_assignment(**assignment(w))
    status = answer["AccountAssignmentCreationStatus"]
    return (
        answer,
        lower_camel(assignment(w)),
        lambda elements: (
            elements["accountAssignmentCreationStatus"]["status"] == "IN_PROGRESS"
            and elements["accountAssignmentCreationStatus"]["requestId"] == status["RequestId"]
            and elements["accountAssignmentCreationStatus"]["principalId"] == w.group_id
        ),
    )


def delete_account_assignment(w: World) -> Any:
    w.aws.sso_admin.create_account_assignment(**assignment(w))
    answer = w.aws.sso_admin.delete_account_assignment(**assignment(w))
    status = answer["AccountAssignmentDeletionStatus"]
    return (
        answer,
        lower_camel(assignment(w)),
        lambda elements: (
            elements["accountAssignmentDeletionStatus"]["requestId"] == status["RequestId"]
        ),
    )


def application_assignment(w: World) -> dict[str, str]:
    """A new application's assignment to the world's group."""
    application_arn = w.aws.sso_admin.create_application(
        InstanceArn=w.aws.instance_arn,
        Name="Payroll",
        ApplicationProviderArn="arn:aws:sso::aws:applicationProvider/custom",
    )["ApplicationArn"]
    return {"ApplicationArn": application_arn, "PrincipalId": w.group_id, "PrincipalType": "GROUP"}


def create_application_assignment(w: World) -> Any:
    params = application_assignment(w)
    answer = w.aws.sso_admin.create_application_assignment(**params)
    return answer, lower_camel(params), lambda elements: elements is None


def delete_application_assignment(w: World) -> Any:
    params = application_assignment(w)
    w.aws.sso_admin.create_application_assignment(**params)
    answer = w.aws.sso_admin.delete_application_assignment(**params)
    return answer, lower_camel(params), lambda elements: elements is None


def create_user(w: World) -> Any:
    answer = w.aws.identity_store.create_user(
        IdentityStoreId=w.aws.identity_store_id,
        UserName="grace",
        DisplayName="Grace",
        Name={"GivenName": "Grace", "FamilyName": "Hopper"},
    )
    expected = {
        "identityStoreId": w.aws.identity_store_id,
        "userName": "grace",
        "displayName": "Grace",
        "name": {"givenName": "Grace", "familyName": "Hopper"},
    }
    user = {"userId": answer["UserId"], "identityStoreId": w.aws.identity_store_id}
    return answer, expected, lambda elements: elements == user


def update_user(w: World) -> Any:
    operations = [{"AttributePath": "displayName", "AttributeValue": "Ada L."}]
    answer = w.aws.identity_store.update_user(
        IdentityStoreId=w.aws.identity_store_id, UserId=w.user_id, Operations=operations
    )
    expected = {
        "identityStoreId": w.aws.identity_store_id,
        "userId": w.user_id,
        "operations": [{"attributePath": "displayName", "attributeValue": "Ada L."}],
    }
    return answer, expected, lambda elements: elements is None


def delete_user(w: World) -> Any:
    answer = w.aws.identity_store.delete_user(
        IdentityStoreId=w.aws.identity_store_id, UserId=w.user_id
    )
    expected = {"identityStoreId": w.aws.identity_store_id, "userId": w.user_id}
    return answer, expected, lambda elements: elements is None


def create_group(w: World) -> Any:
    answer = w.aws.identity_store.create_group(
        IdentityStoreId=w.aws.identity_store_id, DisplayName="Admins", Description="All admins"
    )
    expected = {
        "identityStoreId": w.aws.identity_store_id,
        "displayName": HIDDEN,
        "description": "All admins",
    }
    group = {"groupId": answer["GroupId"], "identityStoreId": w.aws.identity_store_id}
    return answer, expected, lambda elements: elements == group


def update_group(w: World) -> Any:
    answer = w.aws.identity_store.update_group(
        IdentityStoreId=w.aws.identity_store_id,
        GroupId=w.group_id,
        Operations=[{"AttributePath": "description", "AttributeValue": "Builders"}],
    )
    expected = {
        "identityStoreId": w.aws.identity_store_id,
        "groupId": w.group_id,
        "operations": [{"attributePath": "description", "attributeValue": "Builders"}],
    }
    return answer, expected, lambda elements: elements is None


def delete_group(w: World) -> Any:
    answer = w.aws.identity_store.delete_group(
        IdentityStoreId=w.aws.identity_store_id, GroupId=w.group_id
    )
    expected = {"identityStoreId": w.aws.identity_store_id, "groupId": w.group_id}
    return answer, expected, lambda elements: elements is None


def create_group_membership(w: World) -> Any:
    answer = w.aws.identity_store.create_group_membership(
        IdentityStoreId=w.aws.identity_store_id,
        GroupId=w.group_id,
        MemberId={"UserId": w.user_id},
    )
    expected = {
        "identityStoreId": w.aws.identity_store_id,
        "groupId": w.group_id,
        "memberId": {"userId": w.user_id},
    }
    membership = {
        "membershipId": answer["MembershipId"],
        "identityStoreId": w.aws.identity_store_id,
    }
    return answer, expected, lambda elements: elements == membership


def delete_group_membership(w: World) -> Any:
    membership_id = w.aws.identity_store.create_group_membership(
        IdentityStoreId=w.aws.identity_store_id,
        GroupId=w.group_id,
        MemberId={"UserId": w.user_id},
    )["MembershipId"]
    answer = w.aws.identity_store.delete_group_membership(
        IdentityStoreId=w.aws.identity_store_id, MembershipId=membership_id
    )
    expected = {"identityStoreId": w.aws.identity_store_id, "membershipId": membership_id}
    return answer, expected, lambda elements: elements is None


def provision_permission_set(w: World) -> Any:
    params = {
        "InstanceArn": w.aws.instance_arn,
        "PermissionSetArn": w.permission_set_arn,
        "TargetId": w.account_id,
        "TargetType": "AWS_ACCOUNT",
    }
    answer = w.aws.sso_admin.provision_permission_set(**params)
    status = answer["PermissionSetProvisioningStatus"]
    return (
        answer,
        lower_camel(params),
        lambda elements: (
            elements["permissionSetProvisioningStatus"]["requestId"] == status["RequestId"]
            and elements["permissionSetProvisioningStatus"]["accountId"] == w.account_id
        ),
    )


def put_inline_policy(w: World) -> Any:
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    params = {
        "InstanceArn": w.aws.instance_arn,
        "PermissionSetArn": w.permission_set_arn,
        "InlinePolicy": policy,
    }
    answer = w.aws.sso_admin.put_inline_policy_to_permission_set(**params)
    return answer, lower_camel(params), lambda elements: elements is None


def move_account(w: World) -> Any:
    params = {
        "AccountId": w.account_id,
        "SourceParentId": w.root_id,
        "DestinationParentId": w.unit_id,
    }
    answer = w.aws.organizations.move_account(**params)
    return answer, lower_camel(params), lambda elements: elements is None


def close_account(w: World) -> Any:
    answer = w.aws.organizations.close_account(AccountId=w.account_id)
    return answer, {"accountId": w.account_id}, lambda elements: elements is None


WRITES = {
    ("sso.amazonaws.com", "CreateAccountAssignment"): create_account_assignment,
    ("sso.amazonaws.com", "DeleteAccountAssignment"): delete_account_assignment,
    ("sso.amazonaws.com", "CreateApplicationAssignment"): create_application_assignment,
    ("sso.amazonaws.com", "DeleteApplicationAssignment"): delete_application_assignment,
    ("sso.amazonaws.com", "ProvisionPermissionSet"): provision_permission_set,
    ("sso.amazonaws.com", "PutInlinePolicyToPermissionSet"): put_inline_policy,
    ("identitystore.amazonaws.com", "CreateUser"): create_user,
    ("identitystore.amazonaws.com", "UpdateUser"): update_user,
    ("identitystore.amazonaws.com", "DeleteUser"): delete_user,
    ("identitystore.amazonaws.com", "CreateGroup"): create_group,
    ("identitystore.amazonaws.com", "UpdateGroup"): update_group,
    ("identitystore.amazonaws.com", "DeleteGroup"): delete_group,
    ("identitystore.amazonaws.com", "CreateGroupMembership"): create_group_membership,
    ("identitystore.amazonaws.com", "DeleteGroupMembership"): delete_group_membership,
    ("organizations.amazonaws.com", "MoveAccount"): move_account,
    ("organizations.amazonaws.com", "CloseAccount"): close_account,
}


@pytest.mark.parametrize(("source", "name"), list(WRITES), ids=[n for _, n in WRITES])
def test_each_write_the_connector_makes_is_recorded_as_aws_records_it(
    world: World, source: str, name: str
) -> None:
    answer, parameters, elements_as_expected = WRITES[source, name](world)
    record = event_of(answer)
    assert (record["eventSource"], record["eventName"]) == (source, name)
    assert record["requestParameters"] == parameters
    assert elements_as_expected(record["responseElements"])
    assert record["requestID"] == answer["ResponseMetadata"]["RequestId"]
    assert uuid.UUID(record["eventID"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["eventTime"])
    assert {k: record[k] for k in CONSTANT_FIELDS} == CONSTANT_FIELDS


CONSTANT_FIELDS = {
    "eventVersion": "1.11",
    "awsRegion": "us-east-1",
    "readOnly": False,
    "eventType": "AwsApiCall",
    "managementEvent": True,
    "recipientAccountId": "123456789012",
    "eventCategory": "Management",
}


def test_read_only_calls_are_not_recorded(world: World) -> None:
    before = all_events()
    aws = world.aws
    aws.sso_admin.list_permission_sets(InstanceArn=aws.instance_arn)
    aws.sso_admin.describe_permission_set(
        InstanceArn=aws.instance_arn, PermissionSetArn=world.permission_set_arn
    )
    aws.identity_store.list_users(IdentityStoreId=aws.identity_store_id)
    aws.identity_store.describe_group(IdentityStoreId=aws.identity_store_id, GroupId=world.group_id)
    aws.identity_store.get_group_id(
        IdentityStoreId=aws.identity_store_id,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "Engineers"}
        },
    )
    aws.organizations.list_accounts()
    assert all_events() == before


def test_failed_writes_are_not_recorded(world: World) -> None:
    before = all_events()
    with pytest.raises(ClientError):
        world.aws.identity_store.create_group(
            IdentityStoreId=world.aws.identity_store_id, DisplayName="Engineers"
        )
    with pytest.raises(ClientError):
        world.aws.identity_store.delete_user(
            IdentityStoreId=world.aws.identity_store_id,
            UserId="90676c4b-0000-0000-0000-000000000000",
        )
    assert all_events() == before


def test_throttled_writes_are_not_recorded_and_admitted_ones_are(world: World) -> None:
    # Recording wraps throttling (dispatch.py): a refused request must leave no event.
    before = all_events()
    behaviour().update(throttled_operations={"CreateGroup": 1.0})
    with pytest.raises(ClientError) as refused:
        client("identitystore").create_group(
            IdentityStoreId=world.aws.identity_store_id, DisplayName="Refused"
        )
    assert refused.value.response["Error"]["Code"] == "ThrottlingException"
    assert all_events() == before
    behaviour().update(throttled_operations={})
    admitted = world.aws.identity_store.create_group(
        IdentityStoreId=world.aws.identity_store_id, DisplayName="Admitted"
    )
    assert event_of(admitted)["eventName"] == "CreateGroup"


def test_applying_the_corrections_again_records_each_write_once(world: World) -> None:
    apply_corrections()
    apply_corrections()
    answer = world.aws.identity_store.create_group(
        IdentityStoreId=world.aws.identity_store_id, DisplayName="Once"
    )
    event_of(answer)  # asserts exactly one


def test_an_unregistered_key_is_an_iam_role_session(world: World) -> None:
    record = event_of(
        world.aws.identity_store.create_group(
            IdentityStoreId=world.aws.identity_store_id, DisplayName="Ops"
        )
    )
    identity = record["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert re.fullmatch(
        r"arn:aws:sts::123456789012:assumed-role/[\w+=,.@-]+/[\w+=,.@-]+", identity["arn"]
    )
    assert identity["sessionContext"]["sessionIssuer"]["type"] == "Role"
    assert identity["accessKeyId"]
    assert "sessionCredentialFromConsole" not in record


def test_changes_made_with_a_registered_console_key_name_that_administrator(world: World) -> None:
    register_principal(console_administrator(ALICE_KEY, "alice@example.com"))
    out_of_band = client("identitystore", key=ALICE_KEY)
    answer = out_of_band.create_group(
        IdentityStoreId=world.aws.identity_store_id, DisplayName="Console made"
    )
    record = event_of(answer)
    identity = record["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert re.fullmatch(
        r"arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_[0-9a-f]{16}"
        r"/alice@example\.com",
        identity["arn"],
    )
    assert identity["accessKeyId"] == ALICE_KEY
    assert record["sessionCredentialFromConsole"] == "true"
    assert record["userAgent"] == "AWS Internal"
    listed = [e for e in all_events() if e["EventId"] == record["eventID"]]
    assert [(e["Username"], e["AccessKeyId"]) for e in listed] == [("alice@example.com", ALICE_KEY)]


def portal_user(world: World) -> IdentityCenterUser:
    return IdentityCenterUser(
        access_key_id=BOB_KEY,
        user_id=world.user_id,
        user_name="ada",
        identity_store_arn=f"arn:aws:identitystore::123456789012:identitystore/{world.aws.identity_store_id}",
        credential_id="portal-session-1",
    )


def test_an_identity_center_user_is_named_by_user_id_since_july_2025(world: World) -> None:
    register_principal(portal_user(world))
    answer = client("identitystore", key=BOB_KEY).create_group(
        IdentityStoreId=world.aws.identity_store_id, DisplayName="Portal made"
    )
    identity = event_of(answer)["userIdentity"]
    assert identity == {
        "type": "IdentityCenterUser",
        "accountId": "123456789012",
        "onBehalfOf": {
            "userId": world.user_id,
            "identityStoreArn": portal_user(world).identity_store_arn,
        },
        "credentialId": "portal-session-1",
    }


def test_an_identity_center_user_was_named_by_user_name_before_july_2025(world: World) -> None:
    behaviour().update(cloudtrail_shape="before-2025-07-14")
    register_principal(portal_user(world))
    answer = client("identitystore", key=BOB_KEY).create_group(
        IdentityStoreId=world.aws.identity_store_id, DisplayName="Portal made"
    )
    identity = event_of(answer)["userIdentity"]
    assert identity["type"] == "Unknown"
    assert (identity["userName"], identity["principalId"]) == ("ada", world.user_id)
    assert identity["onBehalfOf"]["userId"] == world.user_id


def test_group_names_are_hidden_since_july_2025(world: World) -> None:
    created = world.aws.identity_store.create_group(
        IdentityStoreId=world.aws.identity_store_id, DisplayName="Secret name"
    )
    renamed = world.aws.identity_store.update_group(
        IdentityStoreId=world.aws.identity_store_id,
        GroupId=created["GroupId"],
        Operations=[{"AttributePath": "displayName", "AttributeValue": "New secret"}],
    )
    assert event_of(created)["requestParameters"]["displayName"] == HIDDEN
    operation = event_of(renamed)["requestParameters"]["operations"][0]
    assert operation == {"attributePath": "displayName", "attributeValue": HIDDEN}


def test_group_names_were_shown_before_july_2025(world: World) -> None:
    behaviour().update(cloudtrail_shape="before-2025-07-14")
    created = world.aws.identity_store.create_group(
        IdentityStoreId=world.aws.identity_store_id, DisplayName="Plain name"
    )
    assert event_of(created)["requestParameters"]["displayName"] == "Plain name"


def test_a_key_moto_cannot_read_is_refused_at_registration() -> None:
    with pytest.raises(ValueError, match="20 capitals and digits"):
        register_principal(console_administrator("alice-key"))


def test_organizations_events_are_logged_in_us_east_1_whatever_the_region(world: World) -> None:
    answer = client("organizations", "eu-west-1").move_account(
        AccountId=world.account_id, SourceParentId=world.root_id, DestinationParentId=world.unit_id
    )
    record = event_of(answer, "us-east-1")
    assert record["awsRegion"] == "us-east-1"
    assert all_events("eu-west-1") == []
    # botocore signs Organizations for us-east-1 whatever the client's region; a
    # request that reached the simulator in another region is logged there too.
    assert event_region("organizations", "eu-west-1") == "us-east-1"
    assert event_region("identitystore", "eu-west-1") == "eu-west-1"


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.parametrize(
    ("call", "status_key"),
    [
        ("create_account_assignment", "AccountAssignmentCreationStatus"),
        ("delete_account_assignment", "AccountAssignmentDeletionStatus"),
    ],
)
def test_an_assignment_request_is_named_by_the_id_of_the_call_that_started_it(
    world: World, call: str, status_key: str
) -> None:
    if call == "delete_account_assignment":
        world.aws.sso_admin.create_account_assignment(**assignment(world))
    answer = getattr(world.aws.sso_admin, call)(**assignment(world))
    request_id = answer["ResponseMetadata"]["RequestId"]

    # As in AWS's published console events: requestID and the status's requestId are
    # one UUID.
    assert UUID.fullmatch(request_id)
    assert answer[status_key]["RequestId"] == request_id
    record = event_of(answer)
    element = status_key[0].lower() + status_key[1:]
    assert record["requestID"] == record["responseElements"][element]["requestId"] == request_id


def test_other_sso_admin_answers_carry_a_uuid_request_id(world: World) -> None:
    answer = world.aws.sso_admin.update_permission_set(
        InstanceArn=world.aws.instance_arn,
        PermissionSetArn=world.permission_set_arn,
        Description="read",
    )
    assert UUID.fullmatch(answer["ResponseMetadata"]["RequestId"])


def _service_event(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The newest LookupEvents event of this name, and its record."""
    found = [e for e in all_events() if e["EventName"] == name]
    assert found, [e["EventName"] for e in all_events()]
    return found[0], json.loads(found[0]["CloudTrailEvent"])


def test_create_account_ends_with_a_create_account_result_service_event(world: World) -> None:
    created = world.aws.organizations.create_account(
        AccountName="staging", Email="staging@example.com"
    )["CreateAccountStatus"]

    event, record = _service_event("CreateAccountResult")

    assert "Username" not in event and "AccessKeyId" not in event
    assert record["eventType"] == "AwsServiceEvent"
    assert record["eventSource"] == "organizations.amazonaws.com"
    assert record["userIdentity"] == {
        "accountId": world.aws.organizations.describe_organization()["Organization"][
            "MasterAccountId"
        ],
        "invokedBy": "AWS Internal",
    }
    assert record["sourceIPAddress"] == record["userAgent"] == "AWS Internal"
    assert record["requestParameters"] is None and record["responseElements"] is None
    assert "requestID" not in record and "resources" not in record
    status = record["serviceEventDetails"]["createAccountStatus"]
    assert status["id"] == created["Id"] and status["accountId"] == created["AccountId"]
    assert status["state"] == "SUCCEEDED" and status["accountName"] == "****"
    written = r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M"  # Sep 16, 2020 9:20:53 PM
    assert re.fullmatch(written, status["completedTimestamp"])


def test_close_account_ends_with_a_close_account_result_service_event(world: World) -> None:
    world.aws.organizations.close_account(AccountId=world.account_id)

    _, record = _service_event("CloseAccountResult")

    assert record["eventType"] == "AwsServiceEvent"
    assert record["userIdentity"]["invokedBy"] == "organizations.amazonaws.com"
    assert record["sourceIPAddress"] == "organizations.amazonaws.com"
    status = record["serviceEventDetails"]["closeAccountStatus"]
    assert status["accountId"] == world.account_id and status["state"] == "SUCCEEDED"


def test_an_account_renamed_with_put_account_name_is_described_so_and_recorded(
    world: World,
) -> None:
    answer = client("account").put_account_name(
        AccountId=world.account_id, AccountName="prod-renamed"
    )

    described = world.aws.organizations.describe_account(AccountId=world.account_id)
    assert described["Account"]["Name"] == "prod-renamed"
    record = event_of(answer)
    assert (record["eventSource"], record["eventName"]) == (
        "account.amazonaws.com",
        "PutAccountName",
    )
    assert record["requestParameters"] == {
        "accountId": world.account_id,
        "accountName": "prod-renamed",
    }


def test_renaming_an_account_outside_the_organization_is_refused(world: World) -> None:
    with pytest.raises(ClientError) as refused:
        client("account").put_account_name(AccountId="999999999999", AccountName="nope")
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
