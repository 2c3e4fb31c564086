"""apply_corrections can be called any number of times and keeps what already exists."""

from __future__ import annotations

import boto3
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.identitystore.models import IdentityStoreBackend, identitystore_backends
from moto.ssoadmin.models import SSOAdminBackend, ssoadmin_backends

from connector.simulator import apply_corrections, reset_behaviour
from connector.simulator.identitystore import CorrectedIdentityStoreBackend
from connector.simulator.ssoadmin import CorrectedSSOAdminBackend

REGION = "us-east-1"


def test_backends_created_by_plain_moto_are_corrected_without_losing_data() -> None:
    reset_behaviour()
    with mock_aws():
        # What a caller may have built before applying the corrections: moto's own classes.
        sso_admin = SSOAdminBackend(REGION, DEFAULT_ACCOUNT_ID)
        directory = IdentityStoreBackend(REGION, DEFAULT_ACCOUNT_ID)
        ssoadmin_backends[DEFAULT_ACCOUNT_ID][REGION] = sso_admin
        identitystore_backends[DEFAULT_ACCOUNT_ID][REGION] = directory
        instance = sso_admin.instances[0]
        group_id, _ = directory.create_group(instance.identity_store_id, "Engineers", "")
        ps_arn = sso_admin.create_permission_set(
            "Readers", "", instance.instance_arn, "PT1H", "", []
        )["PermissionSetArn"]
        sso_admin.create_account_assignment(
            instance.instance_arn, "111111111111", "AWS_ACCOUNT", ps_arn, "GROUP", group_id
        )

        apply_corrections()
        apply_corrections()

        corrected = ssoadmin_backends[DEFAULT_ACCOUNT_ID][REGION]
        assert corrected is sso_admin and isinstance(corrected, CorrectedSSOAdminBackend)
        assert isinstance(
            identitystore_backends[DEFAULT_ACCOUNT_ID][REGION], CorrectedIdentityStoreBackend
        )
        client = boto3.client("sso-admin", region_name=REGION)
        assignments = client.list_account_assignments(
            InstanceArn=instance.instance_arn, AccountId="111111111111", PermissionSetArn=ps_arn
        )["AccountAssignments"]
        assert [(a["PrincipalType"], a["PrincipalId"]) for a in assignments] == [
            ("GROUP", group_id)
        ]
        members = boto3.client("identitystore", region_name=REGION).list_groups(
            IdentityStoreId=instance.identity_store_id
        )["Groups"]
        assert [g["GroupId"] for g in members] == [group_id]


def test_backends_created_after_the_corrections_are_corrected() -> None:
    apply_corrections()
    with mock_aws():
        backend = ssoadmin_backends["210987654321"]["eu-west-1"]
        assert isinstance(backend, CorrectedSSOAdminBackend)
