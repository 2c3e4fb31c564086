"""The simulator served over HTTP shows the same corrected behaviour as in-process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.core.base_backend import BackendDict

from connector.simulator import Manifest, load_plan, reset_behaviour, start_server
from connector.simulator.plan import (
    OrganisationPlan,
    PlannedAccount,
    PlannedAssignment,
    PlannedGroup,
    PlannedPermissionSet,
    PlannedUser,
)

PLAN = OrganisationPlan(
    users=(PlannedUser("u1", "ada", "Ada", "Ada", "Lovelace"),),
    groups=(PlannedGroup("g1", "Engineers"),),
    permission_sets=(PlannedPermissionSet("ps1", "Readers"),),
    accounts=(PlannedAccount("a1", "prod", "prod@example.com", ("Workloads",)),),
    assignments=(PlannedAssignment("ps1", "a1", "GROUP", "g1"),),
)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    BackendDict.reset()
    reset_behaviour()
    server, url = start_server()
    try:
        yield url
    finally:
        server.stop()
        BackendDict.reset()


@pytest.fixture(scope="module")
def manifest(endpoint: str) -> Manifest:
    return load_plan(PLAN)


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_server_serves_the_loaded_plan(endpoint: str, manifest: Manifest) -> None:
    sso = client("sso-admin", endpoint)
    assert sso.list_instances()["Instances"][0]["InstanceArn"] == manifest.instance_arn
    assignments = sso.list_account_assignments(
        InstanceArn=manifest.instance_arn,
        AccountId=manifest.accounts["a1"],
        PermissionSetArn=manifest.permission_sets["ps1"],
    )["AccountAssignments"]
    assert [(a["PrincipalType"], a["PrincipalId"]) for a in assignments] == [
        ("GROUP", manifest.groups["g1"])
    ]
    accounts = client("organizations", endpoint).list_accounts()["Accounts"]
    assert manifest.accounts["a1"] in {a["Id"] for a in accounts}


def test_server_fails_an_assignment_for_an_unknown_principal(
    endpoint: str, manifest: Manifest
) -> None:
    sso = client("sso-admin", endpoint)
    started = sso.create_account_assignment(
        InstanceArn=manifest.instance_arn,
        TargetId=manifest.accounts["a1"],
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=manifest.permission_sets["ps1"],
        PrincipalType="USER",
        PrincipalId="90676c4b-0000-0000-0000-000000000000",
    )["AccountAssignmentCreationStatus"]
    assert started["Status"] == "IN_PROGRESS"

    status = sso.describe_account_assignment_creation_status(
        InstanceArn=manifest.instance_arn,
        AccountAssignmentCreationRequestId=started["RequestId"],
    )["AccountAssignmentCreationStatus"]
    assert status["Status"] == "FAILED"


def test_server_rejects_identity_store_pages_above_100(endpoint: str, manifest: Manifest) -> None:
    identity_store = client("identitystore", endpoint)
    with pytest.raises(identity_store.exceptions.ValidationException):
        identity_store.list_users(IdentityStoreId=manifest.identity_store_id, MaxResults=101)
