"""An EventBridge rule sending Identity Center's CloudTrail events to an SQS queue with a DLQ.

What an operator deploys for the change feed (a rule on the default bus whose
pattern matches the CloudTrail detail-types and event sources, an SQS target
without a role, a dead-letter queue by redrive policy; see the EventBridge User
Guide, "Amazon SQS permissions", and the SQS Developer Guide, "Using dead-letter
queues"), made with boto3 clients so that tests and the benchmark can set it up
on the simulator, in-process or over HTTP. moto checks neither the queue policy
nor the rule's target DeadLetterConfig, so neither is made here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from connector.feed.setup_template import event_pattern

IDENTITY_CENTER_SOURCES = ("sso.amazonaws.com", "identitystore.amazonaws.com")
ORGANIZATIONS_SOURCES = ("organizations.amazonaws.com",)


def change_event_pattern(event_sources: tuple[str, ...]) -> dict[str, Any]:
    """Match successful API calls of these event sources, whatever their ``source``:
    the pattern `idc-connector change-feed setup` deploys."""
    return event_pattern(event_sources)


@dataclass(frozen=True)
class ChangeQueue:
    queue_url: str
    queue_arn: str
    dead_letter_queue_url: str
    dead_letter_queue_arn: str
    rule_arn: str


def create_change_queue(
    events: Any,
    sqs: Any,
    *,
    name: str = "idc-change-feed",
    event_sources: tuple[str, ...] = IDENTITY_CENTER_SOURCES,
    max_receive_count: int = 5,
    visibility_timeout: int = 120,
) -> ChangeQueue:
    """Create the queue, its dead-letter queue and the rule with these boto3 clients."""
    dead_letter_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_letter_arn = _arn(sqs, dead_letter_url)
    redrive = {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(max_receive_count)}
    queue_url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    queue_arn = _arn(sqs, queue_url)
    rule_arn = events.put_rule(
        Name=name, EventPattern=json.dumps(change_event_pattern(event_sources)), State="ENABLED"
    )["RuleArn"]
    events.put_targets(Rule=name, Targets=[{"Id": "change-queue", "Arn": queue_arn}])
    return ChangeQueue(queue_url, queue_arn, dead_letter_url, dead_letter_arn, rule_arn)


def _arn(sqs: Any, queue_url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])
