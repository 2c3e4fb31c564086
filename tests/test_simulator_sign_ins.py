"""The simulator records sign-ins (GetRoleCredentials) as AWS does: seeded ones in the past,
served by LookupEvents with their readOnly flag; only 90 days of them; on EventBridge only
for rules enabled for all management events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from connector.simulator import load_plan, simulated_aws
from connector.simulator.cloudtrail import (
    change_event_pattern,
    create_change_queue,
    deliver_due_events,
)
from connector.simulator.cloudtrail.sign_ins import sign_in_now
from connector.simulator.seed import PRESETS, plan_organisation
from connector.simulator.seed_activity import effective_accesses

SIGN_IN = [{"AttributeKey": "EventName", "AttributeValue": "GetRoleCredentials"}]


def _sign_ins(client: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("lookup_events").paginate(
        LookupAttributes=SIGN_IN,
        StartTime=datetime.now(UTC) - timedelta(days=365),
        EndTime=datetime.now(UTC),
    )
    return [event for page in pages for event in page["Events"]]


def test_the_seed_plans_every_kind_of_use_the_same_for_the_same_spec() -> None:
    plan = plan_organisation(PRESETS["tiny"])
    assert plan == plan_organisation(PRESETS["tiny"])
    latest: dict[tuple[str, str, str], int] = {}
    for s in plan.sign_ins:
        key = (s.user_key, s.account_key, s.permission_set_key)
        latest[key] = min(latest.get(key, s.seconds_ago), s.seconds_ago)
    days = sorted(seconds // 86_400 for seconds in latest.values())
    assert any(d <= 3 for d in days) and any(10 <= d <= 80 for d in days)
    assert any(d >= 95 for d in days)
    accesses = effective_accesses(plan.assignments, plan.memberships)
    assert set(latest) < set(accesses)  # and some never used


def test_lookup_events_serves_seeded_sign_ins_of_the_last_90_days_in_aws_shape() -> None:
    with simulated_aws() as aws:
        manifest = load_plan(plan_organisation(PRESETS["tiny"]))
        client = boto3.client("cloudtrail", region_name=aws.region)
        events = _sign_ins(client)
    expected = {k: v for k, v in manifest.expected_last_use().items() if v is not None}
    assert events and all(e["ReadOnly"] == "true" for e in events)
    oldest = min(e["EventTime"] for e in events)
    assert oldest >= datetime.now(UTC) - timedelta(days=90, minutes=5)
    names = {ps.key: ps.name for ps in manifest.plan.permission_sets}
    arns = {arn: names[key] for key, arn in manifest.permission_sets.items()}
    latest: dict[tuple[str, str, str], datetime] = {}
    for event in events:
        record = json.loads(event["CloudTrailEvent"])
        assert record["eventSource"] == "sso.amazonaws.com"
        assert record["readOnly"] is True and record["responseElements"] is None
        identity = record["userIdentity"]
        assert identity["type"] == "IdentityCenterUser" and "userName" not in identity
        assert identity["onBehalfOf"]["identityStoreArn"] == manifest.identity_store_arn()
        request = record["requestParameters"]
        key = (identity["onBehalfOf"]["userId"], request["accountId"], request["roleName"])
        when = datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        latest[key] = max(latest.get(key, when), when)
    assert latest == {(u, a, arns[p]): when for (u, a, p), when in expected.items()}


@pytest.mark.parametrize("state", ["ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"])
def test_a_sign_in_reaches_eventbridge_only_for_rules_enabled_for_read_only_events(
    state: str,
) -> None:
    with simulated_aws() as aws:
        manifest = load_plan(plan_organisation(PRESETS["tiny"]))
        events = boto3.client("events", region_name=aws.region)
        sqs = boto3.client("sqs", region_name=aws.region)
        queue = create_change_queue(events, sqs)
        pattern = json.dumps(change_event_pattern(("sso.amazonaws.com",)))
        events.put_rule(Name="idc-change-feed", EventPattern=pattern, State=state)
        user = manifest.plan.users[0]
        sign_in_now(
            manifest.users[user.key],
            user.user_name,
            manifest.identity_store_arn(),
            next(iter(manifest.accounts.values())),
            manifest.plan.permission_sets[0].name,
            region=aws.region,
            instance_account_id=manifest.management_account_id,
        )
        deliver_due_events()
        received = sqs.receive_message(QueueUrl=queue.queue_url, MaxNumberOfMessages=10)
    bodies = [json.loads(m["Body"]) for m in received.get("Messages", [])]
    names = [b["detail"]["eventName"] for b in bodies]
    assert names == ([] if state == "ENABLED" else ["GetRoleCredentials"])
