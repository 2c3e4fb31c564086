"""The simulator throttles over AWS's documented quotas and answers after an injected latency.

Quotas run on ``behaviour().clock``: with a ManualClock nothing refills until the
test advances it, so a burst and a paced run are told apart without sleeping.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from connector.simulator import ManualClock, SimulatedAws, behaviour, simulated_aws
from connector.simulator.throttling import Quota, RequestQuotas, TokenBucket, aws_quotas

# One attempt: a retried throttle would hide the answer under test.
NO_RETRIES = Config(retries={"total_max_attempts": 1})


@dataclass
class Clients:
    aws: SimulatedAws
    sso_admin: Any
    identity_store: Any
    organizations: Any
    clock: ManualClock


@pytest.fixture
def clients() -> Iterator[Clients]:
    with simulated_aws() as aws:
        aws.organizations.create_organization(FeatureSet="ALL")
        clock = ManualClock(start=1000.0)
        behaviour().update(clock=clock, quotas=aws_quotas())
        yield Clients(
            aws=aws,
            sso_admin=boto3.client("sso-admin", region_name=aws.region, config=NO_RETRIES),
            identity_store=boto3.client("identitystore", region_name=aws.region, config=NO_RETRIES),
            organizations=boto3.client("organizations", region_name=aws.region, config=NO_RETRIES),
            clock=clock,
        )


def outcome(call: Callable[[], Any]) -> str:
    """ "ok", or the error code AWS answered with."""
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "ok"


def list_instances(c: Clients) -> Callable[[], Any]:
    return lambda: c.sso_admin.list_instances()


def list_permission_sets(c: Clients) -> Callable[[], Any]:
    return lambda: c.sso_admin.list_permission_sets(InstanceArn=c.aws.instance_arn)


def list_users(c: Clients) -> Callable[[], Any]:
    return lambda: c.identity_store.list_users(IdentityStoreId=c.aws.identity_store_id)


def list_groups(c: Clients) -> Callable[[], Any]:
    return lambda: c.identity_store.list_groups(IdentityStoreId=c.aws.identity_store_id)


def test_a_burst_over_the_sso_admin_quota_is_throttled(clients: Clients) -> None:
    answers = [outcome(list_instances(clients)) for _ in range(25)]
    assert answers == ["ok"] * 20 + ["ThrottlingException"] * 5


def test_requests_paced_at_the_quota_are_never_throttled(clients: Clients) -> None:
    answers = []
    for _ in range(100):
        answers.append(outcome(list_instances(clients)))
        clients.clock.advance(1 / 20)
    assert set(answers) == {"ok"}


def test_a_throttled_client_is_admitted_again_once_tokens_refill(clients: Clients) -> None:
    for _ in range(20):
        assert outcome(list_instances(clients)) == "ok"
    assert outcome(list_instances(clients)) == "ThrottlingException"
    clients.clock.advance(0.05)  # one token at 20 a second
    assert outcome(list_instances(clients)) == "ok"
    assert outcome(list_instances(clients)) == "ThrottlingException"


def test_sso_admin_operations_share_one_bucket(clients: Clients) -> None:
    for _ in range(10):
        assert outcome(list_instances(clients)) == "ok"
        assert outcome(list_permission_sets(clients)) == "ok"
    assert outcome(list_permission_sets(clients)) == "ThrottlingException"
    assert outcome(list_instances(clients)) == "ThrottlingException"


def test_identitystore_operations_have_buckets_of_their_own(clients: Clients) -> None:
    users = [outcome(list_users(clients)) for _ in range(21)]
    assert users == ["ok"] * 20 + ["ThrottlingException"]
    groups = [outcome(list_groups(clients)) for _ in range(21)]
    assert groups == ["ok"] * 20 + ["ThrottlingException"]


def test_identitystore_quota_is_apart_from_sso_admin(clients: Clients) -> None:
    for _ in range(20):
        list_instances(clients)()
    assert outcome(list_instances(clients)) == "ThrottlingException"
    assert outcome(list_users(clients)) == "ok"


def test_organizations_over_its_quota_answers_too_many_requests(clients: Clients) -> None:
    answers = [outcome(lambda: clients.organizations.list_accounts()) for _ in range(11)]
    assert answers == ["ok"] * 10 + ["TooManyRequestsException"]


def test_concurrent_requests_take_exactly_the_tokens_there_are(clients: Clients) -> None:
    # The server answers each request on a thread of its own: no token is spent twice.
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: outcome(list_instances(clients)), range(40)))
    assert answers.count("ok") == 20
    assert answers.count("ThrottlingException") == 20


def test_without_quotas_nothing_is_throttled(clients: Clients) -> None:
    behaviour().update(quotas=None)
    assert {outcome(list_instances(clients)) for _ in range(50)} == {"ok"}


def test_throttled_fraction_still_throttles_without_quotas(clients: Clients) -> None:
    behaviour().update(quotas=None, throttled_fraction=1.0)
    assert outcome(list_instances(clients)) == "ThrottlingException"


def test_latency_is_waited_before_each_answer(clients: Clients) -> None:
    waited: list[float] = []
    behaviour().update(latency_seconds=0.05, sleep=waited.append)
    list_instances(clients)()
    list_users(clients)()
    assert waited == [0.05, 0.05]


def test_throttled_answers_wait_the_latency_too(clients: Clients) -> None:
    waited: list[float] = []
    behaviour().update(latency_seconds=0.01, sleep=waited.append)
    answers = [outcome(list_instances(clients)) for _ in range(21)]
    assert answers[-1] == "ThrottlingException"
    assert len(waited) == 21


def test_latency_is_a_real_wait_by_default(clients: Clients) -> None:
    behaviour().update(latency_seconds=0.03)
    before = time.monotonic()
    list_instances(clients)()
    assert time.monotonic() - before >= 0.03


def test_bucket_capacity_defaults_to_one_second_of_rate() -> None:
    assert Quota(rate=20.0).burst == 20.0
    assert Quota(rate=20.0, capacity=5).burst == 5


def test_bucket_refills_at_its_rate_up_to_its_capacity() -> None:
    bucket = TokenBucket(rate=10.0, capacity=2.0, now=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [True, True, False]
    assert bucket.take(0.1) is True
    assert [bucket.take(100.0) for _ in range(3)] == [True, True, False]


def test_a_clock_that_goes_back_refills_nothing() -> None:
    bucket = TokenBucket(rate=10.0, capacity=1.0, now=50.0)
    assert bucket.take(50.0) is True
    assert bucket.take(10.0) is False
    assert bucket.take(10.1) is True


def test_services_without_a_quota_are_admitted() -> None:
    quotas = RequestQuotas({"sso-admin": Quota(rate=1.0)})
    assert all(quotas.admit("sts", "GetCallerIdentity", 0.0) is None for _ in range(5))


def test_simulator_command_applies_its_latency_and_quota_flags() -> None:
    # One Organizations request a second with no burst: a second request at once is over.
    flags = ("--quotas", "aws", "--organizations-rps", "1", "--latency-ms", "200")
    process = subprocess.Popen(
        [sys.executable, "-m", "connector.cli", "simulator", "--size", "tiny", *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        client = boto3.client(
            "organizations",
            endpoint_url=process.stdout.readline().strip(),
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=NO_RETRIES,
        )
        started = time.monotonic()
        first = outcome(client.list_accounts)
        took = time.monotonic() - started
        second = outcome(client.list_accounts)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert (first, second) == ("ok", "TooManyRequestsException")
    assert took >= 0.2
