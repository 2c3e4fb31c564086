"""What an operator deploys for the SQS source: `idc-connector change-feed setup`.

An EventBridge rule matching the CloudTrail events of the sources the feed
reads ("AWS API Call via CloudTrail", and "AWS Service Event via CloudTrail"
for Organizations' CreateAccountResult), delivering to an SQS queue whose
messages go to a dead-letter queue after a bounded number of receives, and
the queue policy that lets only that rule send. EventBridge sends CloudTrail
events only where a trail logs them, and to the region that logged them:
Identity Center's home region, and us-east-1 for Organizations and Account
Management (EventBridge User Guide, "Events from AWS services"), whose events
a second stack forwards to the home region's bus. The rule matches on
`detail.eventSource`, since EventBridge documents no `source` for the
console's and SCIM's Identity Store events.
"""

from __future__ import annotations

import json
from typing import Any

from connector.feed.mapping import GLOBAL_SOURCES, REGIONAL_SOURCES

DETAIL_TYPES = ["AWS API Call via CloudTrail", "AWS Service Event via CloudTrail"]
MAX_RECEIVES = 5


def event_pattern(sources: tuple[str, ...]) -> dict[str, Any]:
    """The rule's pattern: calls that succeeded, from these event sources."""
    return {
        "detail-type": DETAIL_TYPES,
        "detail": {"eventSource": list(sources), "errorCode": [{"exists": False}]},
    }


def template(sources: tuple[str, ...]) -> dict[str, Any]:
    """A CloudFormation template: rule, queue, dead-letter queue, queue policy."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "identity-center-connector change feed: EventBridge to SQS",
        "Resources": {
            "DeadLetterQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True},
            },
            "ChangeQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "VisibilityTimeout": 120,
                    "MessageRetentionPeriod": 1209600,
                    "SqsManagedSseEnabled": True,
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
                        "maxReceiveCount": MAX_RECEIVES,
                    },
                },
            },
            "ChangeRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "State": "ENABLED",
                    "EventPattern": event_pattern(sources),
                    "Targets": [
                        {"Id": "change-queue", "Arn": {"Fn::GetAtt": ["ChangeQueue", "Arn"]}}
                    ],
                },
            },
            "ChangeQueuePolicy": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {
                    "Queues": [{"Ref": "ChangeQueue"}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "AllowTheChangeRule",
                                "Effect": "Allow",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": {"Fn::GetAtt": ["ChangeQueue", "Arn"]},
                                "Condition": {
                                    "ArnEquals": {
                                        "aws:SourceArn": {"Fn::GetAtt": ["ChangeRule", "Arn"]}
                                    }
                                },
                            }
                        ],
                    },
                },
            },
        },
        "Outputs": {
            "QueueUrl": {"Value": {"Ref": "ChangeQueue"}},
            "DeadLetterQueueUrl": {"Value": {"Ref": "DeadLetterQueue"}},
        },
    }


def forwarding_template() -> dict[str, Any]:
    """For us-east-1: a rule that forwards Organizations' and Account Management's
    events to Identity Center's home region's default event bus (EventBridge
    User Guide, "Sending and receiving events between AWS Regions"), where the
    queue's rule picks them up: one queue for the connector to read."""
    home_bus = {"Fn::Sub": "arn:aws:events:${HomeRegion}:${AWS::AccountId}:event-bus/default"}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "identity-center-connector change feed: forward global events home",
        "Parameters": {"HomeRegion": {"Type": "String"}},
        "Resources": {
            "ForwardRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "Policies": [
                        {
                            "PolicyName": "put-events-home",
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Action": "events:PutEvents",
                                        "Resource": home_bus,
                                    }
                                ],
                            },
                        }
                    ],
                },
            },
            "ForwardRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "State": "ENABLED",
                    "EventPattern": event_pattern(GLOBAL_SOURCES),
                    "Targets": [
                        {
                            "Id": "home-bus",
                            "Arn": home_bus,
                            "RoleArn": {"Fn::GetAtt": ["ForwardRole", "Arn"]},
                        }
                    ],
                },
            },
        },
    }


def setup_text() -> str:
    """What `idc-connector change-feed setup` prints."""
    return "\n".join(
        [
            "# 1. In Identity Center's home region: the rule, the queue, its dead-letter queue.",
            json.dumps(template(REGIONAL_SOURCES + GLOBAL_SOURCES), indent=2),
            "",
            "# 2. In us-east-1, unless it is the home region (Organizations and Account",
            "#    Management log there only): forward their events to the home region.",
            json.dumps(forwarding_template(), indent=2),
            "",
            "# 3. Point the connector at the queue (the first stack's QueueUrl output):",
            "#      IDCC_CHANGE_SOURCE=sqs IDCC_CHANGE_QUEUE_URL=<QueueUrl>",
            "#    and grant it sqs:ReceiveMessage and sqs:DeleteMessage on the queue",
            "#    (`idc-connector iam-policy`, statement ChangeFeedQueue).",
            "#    A trail must log management events: EventBridge receives",
            "#    'AWS API Call via CloudTrail' events only from a logging trail.",
        ]
    )
