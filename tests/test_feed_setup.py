"""`idc-connector change-feed setup`: what it prints deploys a rule that delivers the
feed's events, and only those, to its queue (moto's EventBridge and SQS)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import boto3
from moto import mock_aws

from connector.feed.mapping import GLOBAL_SOURCES, REGIONAL_SOURCES
from connector.feed.setup_template import event_pattern, forwarding_template, template
from tests.test_feed_events import ASSIGNMENT


def _delivered(pattern: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        bus = boto3.client("events", region_name="eu-west-1")
        queue = sqs.create_queue(QueueName="changes")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
        bus.put_rule(Name="changes", EventPattern=json.dumps(pattern))
        bus.put_targets(Rule="changes", Targets=[{"Id": "q", "Arn": arn["Attributes"]["QueueArn"]}])
        bus.put_events(Entries=events)
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def _entry(record: dict[str, Any], detail_type: str = "AWS API Call via CloudTrail") -> Any:
    return {"Source": "aws.sso", "DetailType": detail_type, "Detail": json.dumps(record)}


def test_the_rule_delivers_the_feeds_events_and_not_failed_or_other_ones() -> None:
    other = ASSIGNMENT | {"eventSource": "ec2.amazonaws.com", "eventID": "other"}
    failed = ASSIGNMENT | {"errorCode": "AccessDenied", "eventID": "failed"}
    delivered = _delivered(
        event_pattern(REGIONAL_SOURCES),
        [_entry(ASSIGNMENT), _entry(other), _entry(failed), _entry(ASSIGNMENT, "User Created")],
    )
    assert [m["detail"]["eventID"] for m in delivered] == [ASSIGNMENT["eventID"]]


def test_the_templates_name_every_source_and_a_dead_letter_queue() -> None:
    home = template(REGIONAL_SOURCES + GLOBAL_SOURCES)
    rule = home["Resources"]["ChangeRule"]["Properties"]["EventPattern"]
    assert rule["detail"]["eventSource"] == [*REGIONAL_SOURCES, *GLOBAL_SOURCES]
    redrive = home["Resources"]["ChangeQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["maxReceiveCount"] > 1
    forward = forwarding_template()["Resources"]["ForwardRule"]["Properties"]
    assert forward["EventPattern"]["detail"]["eventSource"] == list(GLOBAL_SOURCES)


def test_the_command_prints_both_templates() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "connector.cli", "change-feed", "setup"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed.count('"AWSTemplateFormatVersion"') == 2
    assert "IDCC_CHANGE_SOURCE=sqs" in printed
