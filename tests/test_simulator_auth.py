"""With IAM enforcement on, JSON-protocol services answer errors as AWS does."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import settings as moto_settings
from moto.core.authorization import ActionAuthenticatorMixin

from connector.simulator import SimulatedAws, simulated_aws


@pytest.fixture
def enforced() -> Iterator[tuple[SimulatedAws, dict[str, str]]]:
    with simulated_aws() as sim:
        iam = boto3.client("iam", region_name=sim.region)
        iam.create_user(UserName="reader")
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "identitystore:ListUsers", "Resource": "*"}
            ],
        }
        iam.put_user_policy(UserName="reader", PolicyName="p", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        previous = moto_settings.INITIAL_NO_AUTH_ACTION_COUNT
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        ActionAuthenticatorMixin.request_count = 0
        try:
            yield (
                sim,
                {
                    "aws_access_key_id": key["AccessKeyId"],
                    "aws_secret_access_key": key["SecretAccessKey"],
                },
            )
        finally:
            moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = previous


def test_denied_json_call_is_access_denied_exception(
    enforced: tuple[SimulatedAws, dict[str, str]],
) -> None:
    sim, key = enforced
    identitystore = boto3.client("identitystore", region_name=sim.region, **key)
    identitystore.list_users(IdentityStoreId=sim.identity_store_id)
    with pytest.raises(ClientError) as caught:
        identitystore.list_groups(IdentityStoreId=sim.identity_store_id)
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "identitystore:ListGroups" in error["Message"]
    sso_admin = boto3.client("sso-admin", region_name=sim.region, **key)
    with pytest.raises(ClientError) as caught:
        sso_admin.list_instances()
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"


def test_unknown_key_is_unrecognized_client_on_json_and_invalid_token_on_query(
    enforced: tuple[SimulatedAws, dict[str, str]],
) -> None:
    sim, _ = enforced
    unknown = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "x"}
    with pytest.raises(ClientError) as caught:
        boto3.client("sso-admin", region_name=sim.region, **unknown).list_instances()
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
    with pytest.raises(ClientError) as caught:
        boto3.client("iam", region_name=sim.region, **unknown).list_users()
    assert caught.value.response["Error"]["Code"] == "InvalidClientTokenId"
