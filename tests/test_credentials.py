"""Each credentials mode works; bad credentials and missing permissions say what is wrong.

Permission tests run moto with IAM enforcement on (moto checks every request
against the caller's IAM policies once its initial unauthenticated allowance
is spent), so "access denied" here comes from a real policy evaluation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import boto3
import botocore.credentials
import pytest
from moto import settings as moto_settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.sts.models import sts_backends

from connector.aws_operations import OPERATIONS
from connector.check import run_check
from connector.config import Settings
from connector.connection import connect
from connector.errors import AccessDeniedError, CredentialsError
from connector.iam_policy import build_policy
from connector.simulator import Manifest, load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store.store import Store
from connector.sync import run_sync
from tests.simulation import simulator_settings

ROLE_NAME = "IdentityCenterConnector"
EXTERNAL_ID = "sailpoint-7f3a"


@pytest.fixture
def tiny_org() -> Iterator[Manifest]:
    with simulated_aws():
        yield load_plan(plan_organisation(PRESETS["tiny"]))


@contextmanager
def iam_enforced() -> Iterator[None]:
    """moto checks every request against the caller's IAM policies inside this block."""
    previous = moto_settings.INITIAL_NO_AUTH_ACTION_COUNT
    moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    try:
        yield
    finally:
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = previous


def iam_user_with_policy(policy: dict[str, object]) -> tuple[str, str]:
    """An IAM user holding `policy`, and its access key (created before enforcement)."""
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="connector")
    iam.put_user_policy(
        UserName="connector", PolicyName="connector", PolicyDocument=json.dumps(policy)
    )
    key = iam.create_access_key(UserName="connector")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def policy_without(action: str) -> dict[str, object]:
    policy = build_policy(read_only=False)
    for statement in policy["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != action]
    policy["Statement"] = [s for s in policy["Statement"] if s["Action"]]
    return policy


def key_settings(tmp_path: Path, key_id: str, secret: str) -> Settings:
    return simulator_settings(
        f"sqlite:///{tmp_path}/s.sqlite3", aws_access_key_id=key_id, aws_secret_access_key=secret
    )


def test_generated_read_policy_is_enough_for_check_and_sync(
    tiny_org: Manifest, tmp_path: Path
) -> None:
    key_id, secret = iam_user_with_policy(build_policy(read_only=True))
    settings = key_settings(tmp_path, key_id, secret)
    with iam_enforced():
        report = run_check(connect(settings), settings)
        result = run_sync(settings, Store.open(settings.database_url), connect(settings))
    assert report.error is None
    assert report.missing == []
    write_actions = {op.iam_action for op in OPERATIONS.values() if op.access == "write"}
    reads = [r for r in report.results if r.action not in write_actions]
    assert reads and all(r.allowed for r in reads if r.verified)
    # Without the write actions, check says provisioning is missing and that it is optional.
    writes = [r for r in report.results if r.action in write_actions]
    assert writes and all(r.optional for r in writes)
    assert any(r.allowed is False for r in writes)
    assert result.counts["assignments"] == len(tiny_org.plan.assignments)


def test_missing_permission_is_named_by_check_and_by_sync(
    tiny_org: Manifest, tmp_path: Path
) -> None:
    key_id, secret = iam_user_with_policy(policy_without("identitystore:ListGroupMemberships"))
    settings = key_settings(tmp_path, key_id, secret)
    store = Store.open(settings.database_url)
    with iam_enforced():
        report = run_check(connect(settings), settings)
        with pytest.raises(AccessDeniedError, match="identitystore:ListGroupMemberships"):
            run_sync(settings, store, connect(settings))
    assert report.missing == ["identitystore:ListGroupMemberships"]
    failed = store.syncs(limit=1)[0]
    assert failed.outcome == "failed"
    assert "identitystore:ListGroupMemberships" in (failed.error or "")
    assert store.read_snapshot() is None


def test_organizations_denied_is_optional(tiny_org: Manifest, tmp_path: Path) -> None:
    key_id, secret = iam_user_with_policy(policy_without("organizations:ListAccounts"))
    settings = key_settings(tmp_path, key_id, secret)
    with iam_enforced():
        report = run_check(connect(settings), settings)
        result = run_sync(settings, Store.open(settings.database_url), connect(settings))
    assert report.ok
    denied = [r for r in report.results if r.allowed is False]
    assert [(r.action, r.optional) for r in denied] == [("organizations:ListAccounts", True)]
    assert result.organizations_unavailable is not None
    assert "organizations:ListAccounts" in result.organizations_unavailable


def test_unknown_access_key_is_a_clear_credentials_error(
    tiny_org: Manifest, tmp_path: Path
) -> None:
    settings = key_settings(tmp_path, "AKIAIOSFODNN7EXAMPLE", "wrong")
    store = Store.open(settings.database_url)
    with iam_enforced():
        report = run_check(connect(settings), settings)
        with pytest.raises(CredentialsError, match="AWS rejected the credentials"):
            run_sync(settings, store, connect(settings))
    assert report.error is not None
    assert report.error.startswith("AWS rejected the credentials")
    assert report.error_exit_code == 3


def test_default_chain_uses_the_environment(
    tiny_org: Manifest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "from-env")
    settings = replace(
        simulator_settings(f"sqlite:///{tmp_path}/s.sqlite3"),
        credentials_mode="default_chain",
        aws_access_key_id=None,
        aws_secret_access_key=None,
    )
    report = run_check(connect(settings), settings)
    assert report.ok
    assert report.caller_arn is not None


@pytest.fixture
def no_aws_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in boto3's default chain: no variables, files or instance metadata."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_default_chain_without_credentials_says_where_to_put_them(
    tmp_path: Path, no_aws_credentials: None
) -> None:
    settings = replace(
        simulator_settings(f"sqlite:///{tmp_path}/s.sqlite3"),
        credentials_mode="default_chain",
        aws_access_key_id=None,
        aws_secret_access_key=None,
    )
    with pytest.raises(CredentialsError, match="no AWS credentials found"):
        connect(settings).call("sts", "GetCallerIdentity")


def management_role(org: Manifest) -> str:
    """The ARN of the connector's role in the organisation's management account."""
    return f"arn:aws:iam::{org.management_account_id}:role/{ROLE_NAME}"


@pytest.fixture
def source_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Access keys in boto3's default chain, for assume_role to start from."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIASOURCECREDENTIAL")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "source")


def assume_role_settings(tmp_path: Path, role_arn: str, **overrides: object) -> Settings:
    settings = simulator_settings(f"sqlite:///{tmp_path}/s.sqlite3")
    values = {
        **settings.__dict__,
        "credentials_mode": "assume_role",
        "aws_access_key_id": None,
        "aws_secret_access_key": None,
        "role_arn": role_arn,
        "external_id": EXTERNAL_ID,
        **overrides,
    }
    return Settings(**values)


def test_assume_role_passes_the_external_id_and_acts_as_the_role(
    tiny_org: Manifest, tmp_path: Path, source_keys: None
) -> None:
    role_arn = management_role(tiny_org)
    settings = assume_role_settings(tmp_path, role_arn)
    report = run_check(connect(settings), settings)
    assert report.ok
    assert f":assumed-role/{ROLE_NAME}/identity-center-connector" in (report.caller_arn or "")
    assumed = sts_backends[tiny_org.management_account_id]["aws"].assumed_roles
    assert [(r.role_arn, r.external_id) for r in assumed] == [(role_arn, EXTERNAL_ID)]


def test_assumed_credentials_are_refreshed_before_they_expire(
    tiny_org: Manifest, tmp_path: Path, source_keys: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    role_arn = management_role(tiny_org)
    settings = assume_role_settings(tmp_path, role_arn, role_duration=3600)
    aws = connect(settings)
    assumed = sts_backends[tiny_org.management_account_id]["aws"].assumed_roles
    aws.call("sts", "GetCallerIdentity")
    aws.call("sts", "GetCallerIdentity")
    assert len(assumed) == 1  # valid for an hour: reused
    # 50 minutes later the credentials are 10 minutes from expiry: renewed first.
    real_now = botocore.credentials._local_now
    later = lambda: real_now() + timedelta(minutes=50)  # noqa: E731
    monkeypatch.setattr(botocore.credentials, "_local_now", later)
    aws._clients["sts"]._request_signer._credentials._time_fetcher = later
    aws.call("sts", "GetCallerIdentity")
    assert len(assumed) == 2


def test_assume_role_without_source_credentials_says_so(
    tmp_path: Path, no_aws_credentials: None
) -> None:
    settings = assume_role_settings(tmp_path, f"arn:aws:iam::123456789012:role/{ROLE_NAME}")
    with pytest.raises(CredentialsError, match="no source credentials"):
        connect(settings)


def test_assume_role_refused_is_a_clear_credentials_error(
    tiny_org: Manifest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The source user may not call sts:AssumeRole: AWS answers AccessDenied.
    key_id, secret = iam_user_with_policy(build_policy(read_only=True))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    role_arn = management_role(tiny_org)
    settings = assume_role_settings(tmp_path, role_arn)
    with iam_enforced():
        report = run_check(connect(settings), settings)
    assert report.error is not None
    assert report.error.startswith(f"could not assume {role_arn}: AccessDenied")
    assert "external ID" in report.error
