"""The simulator puts each recorded event on EventBridge, whose rule sends it to SQS through moto.

The rule and queues are those an operator deploys for the change feed
(``create_change_queue``: a pattern on detail-type and detail.eventSource, an
SQS target, a dead-letter queue by redrive policy). Delivery runs on the
simulator's clock: with a ManualClock a test advances time and then receives,
and never sleeps.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from moto.core.base_backend import BackendDict

from connector.simulator import (
    EventDelivery,
    ManualClock,
    SimulatedAws,
    behaviour,
)
from connector.simulator import simulated_aws as simulated
from connector.simulator.cloudtrail import (
    DETAIL_TYPE,
    SERVICE_EVENT_DETAIL_TYPE,
    ChangeQueue,
    create_change_queue,
    deliver_due_events,
)
from tests.test_simulator_cloudtrail import client, clocked, served


@dataclass
class Feed:
    aws: SimulatedAws
    clock: ManualClock
    queue: ChangeQueue
    sqs: Any


@pytest.fixture
def feed() -> Iterator[Feed]:
    with clocked() as (aws, clock):
        queue = create_change_queue(client("events"), client("sqs"))
        yield Feed(aws, clock, queue, client("sqs"))


def make_group(aws: SimulatedAws, name: str) -> dict[str, Any]:
    answer: dict[str, Any] = aws.identity_store.create_group(
        IdentityStoreId=aws.identity_store_id, DisplayName=name
    )
    return answer


def receive(sqs: Any, queue_url: str, wait: int = 0) -> list[dict[str, Any]]:
    """The bodies of the messages one receive returns (at most 10), deleting none."""
    answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
    return [json.loads(message["Body"]) for message in answer.get("Messages", [])]


def drain(feed: Feed) -> list[dict[str, Any]]:
    """Every message on the change queue, received and deleted."""
    bodies = []
    while True:
        answer = feed.sqs.receive_message(QueueUrl=feed.queue.queue_url, MaxNumberOfMessages=10)
        messages = answer.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            feed.sqs.delete_message(
                QueueUrl=feed.queue.queue_url, ReceiptHandle=message["ReceiptHandle"]
            )


def group_id(body: dict[str, Any]) -> str:
    return str(body["detail"]["responseElements"]["groupId"])


def test_a_write_reaches_the_queue_as_an_aws_api_call_via_cloudtrail(feed: Feed) -> None:
    answer = make_group(feed.aws, "Engineers")
    (body,) = drain(feed)
    (listed,) = client("cloudtrail").lookup_events()["Events"]
    record = json.loads(listed["CloudTrailEvent"])
    assert body["detail-type"] == DETAIL_TYPE == "AWS API Call via CloudTrail"
    assert body["source"] == "aws.identitystore"
    assert (body["account"], body["region"]) == ("123456789012", "us-east-1")
    assert body["time"] == record["eventTime"]
    assert body["resources"] == []
    assert body["detail"] == record
    assert body["detail"]["requestID"] == answer["ResponseMetadata"]["RequestId"]


def test_sso_admin_and_organizations_events_carry_their_sources(feed: Feed) -> None:
    everything = create_change_queue(
        client("events"),
        client("sqs"),
        name="everything",
        event_sources=(
            "sso.amazonaws.com",
            "identitystore.amazonaws.com",
            "organizations.amazonaws.com",
        ),
    )
    feed.aws.sso_admin.create_permission_set(InstanceArn=feed.aws.instance_arn, Name="Readers")
    feed.aws.organizations.create_organization(FeatureSet="ALL")
    sources = {
        (b["source"], b["detail"]["eventName"]) for b in receive(feed.sqs, everything.queue_url)
    }
    assert sources == {
        ("aws.sso", "CreatePermissionSet"),
        ("aws.organizations", "CreateOrganization"),
    }


def test_the_rule_pattern_selects_event_sources(feed: Feed) -> None:
    sso_only = create_change_queue(
        client("events"), client("sqs"), name="sso-only", event_sources=("sso.amazonaws.com",)
    )
    make_group(feed.aws, "Engineers")
    feed.aws.sso_admin.create_permission_set(InstanceArn=feed.aws.instance_arn, Name="Readers")
    names = [b["detail"]["eventName"] for b in receive(feed.sqs, sso_only.queue_url)]
    assert names == ["CreatePermissionSet"]
    both = sorted(b["detail"]["eventName"] for b in drain(feed))
    assert both == ["CreateGroup", "CreatePermissionSet"]


def test_a_disabled_rule_receives_nothing(feed: Feed) -> None:
    client("events").disable_rule(Name="idc-change-feed")
    make_group(feed.aws, "Engineers")
    assert drain(feed) == []


def test_delivery_waits_for_the_delay(feed: Feed) -> None:
    behaviour().update(cloudtrail_delivery=EventDelivery(delay_seconds=30))
    answer = make_group(feed.aws, "Engineers")
    feed.clock.advance(29.5)
    assert drain(feed) == []
    feed.clock.advance(0.5)
    assert [group_id(b) for b in drain(feed)] == [answer["GroupId"]]


def test_jittered_deliveries_arrive_out_of_order(feed: Feed) -> None:
    behaviour().update(cloudtrail_delivery=EventDelivery(delay_seconds=5, jitter_seconds=60))
    made = []
    for i in range(10):
        made.append(make_group(feed.aws, f"g{i}")["GroupId"])
        feed.clock.advance(1)
    arrived: list[str] = []
    for _ in range(70):
        arrived.extend(group_id(b) for b in drain(feed))
        feed.clock.advance(1)
    assert sorted(arrived) == sorted(made)
    assert arrived != made


def arrival_order(seed: int) -> list[str]:
    """The order six groups' events reach the queue with up to 30 s of jitter."""
    with simulated() as aws:
        clock = ManualClock(start=0.0)
        behaviour().update(
            clock=clock, cloudtrail_delivery=EventDelivery(jitter_seconds=30, seed=seed)
        )
        feed = Feed(aws, clock, create_change_queue(client("events"), client("sqs")), client("sqs"))
        for i in range(6):
            aws.identity_store.create_group(
                IdentityStoreId=aws.identity_store_id, DisplayName=f"g{i}", Description=f"g{i}"
            )
        arrived: list[str] = []
        for _ in range(31):
            clock.advance(1)
            arrived.extend(b["detail"]["requestParameters"]["description"] for b in drain(feed))
        return arrived


def test_a_seed_repeats_its_delivery_order() -> None:
    assert arrival_order(3) == arrival_order(3)
    assert sorted(arrival_order(3)) == [f"g{i}" for i in range(6)]
    assert arrival_order(3) != arrival_order(4)


def test_a_duplicated_event_arrives_twice_with_the_same_ids(feed: Feed) -> None:
    behaviour().update(cloudtrail_delivery=EventDelivery(duplicate_fraction=1.0, jitter_seconds=10))
    make_group(feed.aws, "Engineers")
    feed.clock.advance(10)
    first, second = drain(feed)
    assert first["id"] == second["id"]
    assert first["detail"]["eventID"] == second["detail"]["eventID"]
    assert len(client("cloudtrail").lookup_events()["Events"]) == 1


def test_messages_received_too_often_move_to_the_dead_letter_queue() -> None:
    with simulated() as aws:
        queue = create_change_queue(
            client("events"), client("sqs"), max_receive_count=2, visibility_timeout=0
        )
        make_group(aws, "Poison")
        sqs = client("sqs")
        assert len(receive(sqs, queue.queue_url)) == 1
        assert len(receive(sqs, queue.queue_url)) == 1
        assert receive(sqs, queue.queue_url) == []
        (dead,) = receive(sqs, queue.dead_letter_queue_url)
        assert dead["detail"]["eventName"] == "CreateGroup"


def test_events_of_a_reset_simulator_are_never_delivered(feed: Feed) -> None:
    behaviour().update(cloudtrail_delivery=EventDelivery(delay_seconds=60))
    make_group(feed.aws, "Before the reset")
    BackendDict.reset()  # what mock_aws does between tests
    queue = create_change_queue(client("events"), client("sqs"))
    feed.clock.advance(120)
    assert deliver_due_events() == 0
    assert receive(feed.sqs, queue.queue_url) == []


def test_a_long_polling_client_over_http_receives_the_event_after_its_delay() -> None:
    with served() as http:
        sqs = http("sqs")
        queue = create_change_queue(http("events"), sqs)
        store_id = http("sso-admin").list_instances()["Instances"][0]["IdentityStoreId"]
        behaviour().update(cloudtrail_delivery=EventDelivery(delay_seconds=0.5))
        made = time.monotonic()
        answer = http("identitystore").create_group(IdentityStoreId=store_id, DisplayName="Eng")
        bodies = receive(sqs, queue.queue_url, wait=10)  # one long poll: no request wakes it
        waited = time.monotonic() - made
    assert [b["detail"]["requestID"] for b in bodies] == [answer["ResponseMetadata"]["RequestId"]]
    assert 0.5 <= waited < 10


def test_create_account_result_reaches_the_queue_as_an_aws_service_event(feed: Feed) -> None:
    accounts = create_change_queue(
        client("events"),
        client("sqs"),
        name="accounts",
        event_sources=("organizations.amazonaws.com",),
    )
    feed.aws.organizations.create_organization(FeatureSet="ALL")
    created = feed.aws.organizations.create_account(
        AccountName="staging", Email="staging@example.com"
    )["CreateAccountStatus"]

    bodies = {b["detail"]["eventName"]: b for b in receive(feed.sqs, accounts.queue_url)}

    result = bodies["CreateAccountResult"]
    assert result["detail-type"] == SERVICE_EVENT_DETAIL_TYPE == "AWS Service Event via CloudTrail"
    assert result["source"] == "aws.organizations"
    details = result["detail"]["serviceEventDetails"]["createAccountStatus"]
    assert details["accountId"] == created["AccountId"]
    assert bodies["CreateAccount"]["detail-type"] == DETAIL_TYPE
