"""The simulator serves CloudTrail LookupEvents as the CloudTrail API Reference specifies it.

moto 5.2.5 has no LookupEvents (it raises NotImplementedError): an extension.
Time runs on a ManualClock, so the 90-day window, delivery delays and the
quota of two lookups a second are crossed by advancing it, never by sleeping.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from connector.simulator import (
    EventDelivery,
    ManualClock,
    SimulatedAws,
    behaviour,
)
from connector.simulator import simulated_aws as simulated
from connector.simulator.throttling import aws_quotas
from tests.test_simulator_cloudtrail import ALICE_KEY, client, served

NINETY_DAYS = 90 * 24 * 3600


@pytest.fixture
def aws() -> Iterator[SimulatedAws]:
    with simulated() as simulated_aws:
        yield simulated_aws


@pytest.fixture
def clock(aws: SimulatedAws) -> ManualClock:
    clock = ManualClock(start=1000.0)
    behaviour().update(clock=clock)
    return clock


def make_groups(aws: SimulatedAws, *names: str, clock: ManualClock | None = None) -> list[str]:
    """Create groups (one event each), ``clock`` advancing a second after each; their ids."""
    ids = []
    for name in names:
        ids.append(
            aws.identity_store.create_group(
                IdentityStoreId=aws.identity_store_id, DisplayName=name
            )["GroupId"]
        )
        if clock is not None:
            clock.advance(1)
    return ids


def group_ids(events: list[dict[str, Any]]) -> list[str]:
    """The groupId each CreateGroup event made, in the order listed."""
    return [json.loads(e["CloudTrailEvent"])["responseElements"]["groupId"] for e in events]


def lookup(**params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = client("cloudtrail").lookup_events(**params)
    return answer


def error_code(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as error:
        call(**params)
    return str(error.value.response["Error"]["Code"])


def test_events_are_listed_newest_first(aws: SimulatedAws, clock: ManualClock) -> None:
    made = make_groups(aws, "a", "b", "c", clock=clock)
    events = lookup()["Events"]
    assert group_ids(events) == made[::-1]
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True) and times[0] > times[-1]


def test_events_of_the_same_second_are_listed_latest_first(aws: SimulatedAws) -> None:
    made = make_groups(aws, "a", "b", "c")
    assert group_ids(lookup()["Events"]) == made[::-1]


def test_each_event_carries_the_fields_of_the_api_reference(aws: SimulatedAws) -> None:
    make_groups(aws, "a")
    (event,) = lookup()["Events"]
    record = json.loads(event["CloudTrailEvent"])
    assert event["EventId"] == record["eventID"]
    assert event["EventName"] == "CreateGroup"
    assert event["EventSource"] == "identitystore.amazonaws.com"
    assert event["ReadOnly"] == "false"
    assert event["AccessKeyId"] == record["userIdentity"]["accessKeyId"]
    assert event["Username"] == record["userIdentity"]["arn"].rsplit("/", 1)[-1]
    assert event["Resources"] == []
    assert event["EventTime"].strftime("%Y-%m-%dT%H:%M:%SZ") == record["eventTime"]


def test_pages_follow_next_token_until_the_last_which_has_none(
    aws: SimulatedAws, clock: ManualClock
) -> None:
    made = make_groups(aws, *"abcdefg", clock=clock)
    pages = []
    token = None
    for _ in range(5):  # bounded: a token that never ends must fail the test, not hang it
        page = lookup(MaxResults=3, **({"NextToken": token} if token else {}))
        pages.append(group_ids(page["Events"]))
        token = page.get("NextToken")
        if token is None:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [g for p in pages for g in p] == made[::-1]


def test_the_boto3_paginator_reads_every_event(aws: SimulatedAws) -> None:
    made = make_groups(aws, *[f"g{i}" for i in range(7)])
    pages = (
        client("cloudtrail")
        .get_paginator("lookup_events")
        .paginate(PaginationConfig={"PageSize": 2})
    )
    assert sorted(g for p in pages for g in group_ids(p["Events"])) == sorted(made)


def test_a_page_holds_fifty_events_by_default(aws: SimulatedAws) -> None:
    make_groups(aws, *[f"g{i}" for i in range(51)])
    page = lookup()
    assert len(page["Events"]) == 50
    assert len(lookup(NextToken=page["NextToken"])["Events"]) == 1


def test_events_arriving_between_pages_do_not_shift_the_next_page(
    aws: SimulatedAws, clock: ManualClock
) -> None:
    made = make_groups(aws, *"abcd", clock=clock)
    first = lookup(MaxResults=2)
    make_groups(aws, "newer", clock=clock)
    second = lookup(MaxResults=2, NextToken=first["NextToken"])
    assert group_ids(first["Events"]) + group_ids(second["Events"]) == made[::-1]


@pytest.mark.parametrize(
    "changed",
    [
        {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "DeleteGroup"}]},
        {"StartTime": 0},
        {"EndTime": 4_000_000_000},
    ],
    ids=["attributes", "start", "end"],
)
def test_a_next_token_is_valid_only_with_the_same_parameters(
    aws: SimulatedAws, changed: dict[str, Any]
) -> None:
    make_groups(aws, *"abc")
    token = lookup(MaxResults=1)["NextToken"]
    assert lookup(MaxResults=2, NextToken=token)["Events"]  # the page size may change
    assert (
        error_code(client("cloudtrail").lookup_events, NextToken=token, **changed)
        == "InvalidNextTokenException"
    )


def test_a_next_token_the_service_did_not_give_is_refused(aws: SimulatedAws) -> None:
    make_groups(aws, *"ab")
    forged = base64.urlsafe_b64encode(b'{"q": "x", "t": 1, "s": 1}').decode()
    for token in ("not-a-token", forged):
        assert (
            error_code(client("cloudtrail").lookup_events, NextToken=token)
            == "InvalidNextTokenException"
        )


def test_the_time_range_includes_both_ends(aws: SimulatedAws, clock: ManualClock) -> None:
    make_groups(aws, "a", "b", "c", clock=clock)
    a, b, c = lookup()["Events"][::-1]
    inside = lookup(StartTime=b["EventTime"], EndTime=c["EventTime"])["Events"]
    assert group_ids(inside) == group_ids([c, b])
    assert group_ids(lookup(EndTime=a["EventTime"])["Events"]) == group_ids([a])
    after_c = c["EventTime"] + timedelta(seconds=1)
    assert lookup(StartTime=after_c)["Events"] == []


def test_a_start_after_the_end_is_refused(aws: SimulatedAws) -> None:
    code = error_code(client("cloudtrail").lookup_events, StartTime=2_000_000_000, EndTime=1)
    assert code == "InvalidTimeRangeException"


@pytest.mark.parametrize(
    ("key", "value_of"),
    [
        ("EventName", lambda e: "CreateGroup"),
        ("EventSource", lambda e: "identitystore.amazonaws.com"),
        ("EventId", lambda e: e["EventId"]),
        ("Username", lambda e: "alice@example.com"),
        ("AccessKeyId", lambda e: ALICE_KEY),
    ],
)
def test_a_lookup_attribute_selects_the_events_that_match_it(
    aws: SimulatedAws, key: str, value_of: Any
) -> None:
    from connector.simulator.cloudtrail import console_administrator, register_principal

    register_principal(console_administrator(ALICE_KEY, "alice@example.com"))
    aws.sso_admin.create_permission_set(InstanceArn=aws.instance_arn, Name="Readers")
    client("identitystore", key=ALICE_KEY).create_group(
        IdentityStoreId=aws.identity_store_id, DisplayName="Alice's"
    )
    alices = lookup()["Events"][0]
    selected = lookup(LookupAttributes=[{"AttributeKey": key, "AttributeValue": value_of(alices)}])
    assert [e["EventId"] for e in selected["Events"]] == [alices["EventId"]]


@pytest.mark.parametrize(
    ("key", "value"),
    [("ReadOnly", "true"), ("ResourceType", "AWS::SSO::PermissionSet"), ("ResourceName", "x")],
)
def test_lookups_by_read_only_or_resource_find_no_recorded_write(
    aws: SimulatedAws, key: str, value: str
) -> None:
    make_groups(aws, "a")
    attributes = [{"AttributeKey": key, "AttributeValue": value}]
    assert lookup(LookupAttributes=attributes)["Events"] == []
    if key == "ReadOnly":
        false = [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}]
        assert len(lookup(LookupAttributes=false)["Events"]) == 1


@pytest.mark.parametrize(
    "attributes",
    [
        [
            {"AttributeKey": "EventName", "AttributeValue": "CreateGroup"},
            {"AttributeKey": "EventSource", "AttributeValue": "identitystore.amazonaws.com"},
        ],
        [{"AttributeKey": "Region", "AttributeValue": "us-east-1"}],
    ],
    ids=["two attributes", "unknown key"],
)
def test_lookup_attributes_are_one_of_the_documented_keys(
    aws: SimulatedAws, attributes: list[dict[str, str]]
) -> None:
    code = error_code(client("cloudtrail").lookup_events, LookupAttributes=attributes)
    assert code == "InvalidLookupAttributesException"


def test_max_results_outside_one_to_fifty_is_refused(aws: SimulatedAws) -> None:
    unchecked = boto3.client(
        "cloudtrail", region_name=aws.region, config=Config(parameter_validation=False)
    )
    for max_results in (0, 51):
        code = error_code(unchecked.lookup_events, MaxResults=max_results)
        assert code == "InvalidMaxResultsException"
    assert lookup(MaxResults=50)["Events"] == []


def test_insights_are_a_valid_category_with_no_events_and_others_are_refused(
    aws: SimulatedAws,
) -> None:
    make_groups(aws, "a")
    assert lookup(EventCategory="insight")["Events"] == []
    unchecked = boto3.client(
        "cloudtrail", region_name=aws.region, config=Config(parameter_validation=False)
    )
    code = error_code(unchecked.lookup_events, EventCategory="management")
    assert code == "InvalidEventCategoryException"


def test_events_older_than_ninety_days_are_not_listed(
    aws: SimulatedAws, clock: ManualClock
) -> None:
    old = make_groups(aws, "old")[0]
    clock.advance(NINETY_DAYS - 2)
    new = make_groups(aws, "new")[0]
    assert group_ids(lookup()["Events"]) == [new, old]
    clock.advance(3)
    assert group_ids(lookup()["Events"]) == [new]


def test_only_delivered_events_are_listed(aws: SimulatedAws, clock: ManualClock) -> None:
    behaviour().update(cloudtrail_delivery=EventDelivery(delay_seconds=300))
    made = make_groups(aws, "a")
    assert lookup()["Events"] == []
    clock.advance(299)
    assert lookup()["Events"] == []
    clock.advance(1)
    assert group_ids(lookup()["Events"]) == made


def test_jittered_events_arrive_out_of_order(aws: SimulatedAws, clock: ManualClock) -> None:
    behaviour().update(cloudtrail_delivery=EventDelivery(delay_seconds=60, jitter_seconds=120))
    made = make_groups(aws, *[f"g{i}" for i in range(10)], clock=clock)
    seen_in_order_of_arrival: list[str] = []
    for _ in range(200):
        for group_id in group_ids(lookup()["Events"])[::-1]:
            if group_id not in seen_in_order_of_arrival:
                seen_in_order_of_arrival.append(group_id)
        clock.advance(1)
    assert sorted(seen_in_order_of_arrival) == sorted(made)
    assert seen_in_order_of_arrival != made
    # Whatever order they arrived in, LookupEvents lists them by time.
    assert group_ids(lookup()["Events"]) == made[::-1]


def test_lookups_over_two_a_second_are_throttled(aws: SimulatedAws, clock: ManualClock) -> None:
    behaviour().update(quotas=aws_quotas())
    answers = [error_code_or_ok() for _ in range(3)]
    assert answers == ["ok", "ok", "ThrottlingException"]
    clock.advance(0.5)
    assert error_code_or_ok() == "ok"
    assert error_code_or_ok() == "ThrottlingException"


def error_code_or_ok() -> str:
    try:
        lookup()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "ok"


def test_lookup_events_is_served_over_http() -> None:
    with served() as http:
        sso = http("sso-admin")
        instance_arn = sso.list_instances()["Instances"][0]["InstanceArn"]
        answer = sso.create_permission_set(InstanceArn=instance_arn, Name="Readers")
        events = http("cloudtrail").lookup_events()["Events"]
    assert [json.loads(e["CloudTrailEvent"])["requestID"] for e in events] == [
        answer["ResponseMetadata"]["RequestId"]
    ]
