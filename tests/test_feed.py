"""The change feed keeps the served data current from the events the simulated AWS records.

Changes are made in AWS as an administrator in the console would (another
access key), and through the connector itself; the feed reads the events from
CloudTrail's event history (LookupEvents) or from an SQS queue an EventBridge
rule feeds, and what SCIM serves then equals what a fresh full sync of the same
AWS state serves.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import boto3
import pytest

from connector.cli import main
from connector.config import settings_to_env
from connector.connection import connect
from connector.feed.mapping import GLOBAL_SOURCES, REGIONAL_SOURCES
from connector.record_keys import entitlement_id
from connector.simulator import behaviour
from connector.simulator.behaviour import EventDelivery
from connector.simulator.cloudtrail import (
    create_change_queue,
)
from connector.sync import run_sync
from connector.sync_loop import report_missed_changes
from tests.feed_support import console, feed_of, one_step_calling
from tests.live import Live, free_pair, grant_op
from tests.served_state import as_a_full_sync_serves, assert_same, everything_served
from tests.serving import wait_for
from tests.simulation import simulator_settings


def _grant_as_console(live: Live, sso: Any, user: str) -> tuple[str, str]:
    """Grant the user a pair it did not hold in the seed; the (account, ARN)."""
    account, arn = free_pair(live, "USER", user)
    sso.create_account_assignment(**live.assignment_request(account, arn, "USER", user))
    return account, arn


def _served(live: Live, path: str) -> dict[str, Any]:
    answer = live.client.get(f"/scim/v2/{path}", headers=live.headers())
    assert answer.status_code == 200, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def test_console_changes_are_served_after_the_feed_reads_cloudtrail(live: Live) -> None:
    groups = console(live, "identitystore")
    sso = console(live, "sso-admin")
    store_id = live.aws.identity_store_id
    user = groups.create_user(
        IdentityStoreId=store_id,
        UserName="out.of.band@example.com",
        DisplayName="Out Of Band",
        Name={"GivenName": "Out", "FamilyName": "Band"},
    )["UserId"]
    group = sorted(live.manifest.groups.values())[0]
    groups.create_group_membership(
        IdentityStoreId=store_id, GroupId=group, MemberId={"UserId": user}
    )
    account, _ = _grant_as_console(live, sso, user)
    assert _served_status(live, f"Users/{user}") == 404

    report = feed_of(live)[0].step()

    served = _served(live, f"Users/{user}?attributes=groups,entitlements,displayName")
    assert served["displayName"] == "Out Of Band"
    assert group in {g["value"] for g in served["groups"]}
    assert any(e["value"].startswith(account) for e in served["entitlements"]), served
    assert report.targets >= 3 and report.changes >= 3


def test_the_connectors_own_writes_cost_no_re_read(live: Live) -> None:
    user = sorted(live.manifest.users.values())[0]
    account, arn = free_pair(live, "USER", user)
    assert live.patch(f"Users/{user}", grant_op(account, arn)).status_code == 200
    report, made = one_step_calling(live)

    assert report.own >= 1 and report.targets == 0
    assert made == {"cloudtrail:LookupEvents"}


@pytest.mark.parametrize("seed", [1, 2])
def test_late_duplicated_and_reordered_events_leave_what_a_full_sync_serves(
    live: Live, tmp_path: Path, seed: int
) -> None:
    behaviour().update(
        cloudtrail_delivery=EventDelivery(
            delay_seconds=0, jitter_seconds=0, duplicate_fraction=0.5, seed=seed
        )
    )
    rng = random.Random(seed)
    identity = console(live, "identitystore")
    sso = console(live, "sso-admin")
    store_id = live.aws.identity_store_id
    users = sorted(live.manifest.users.values())
    groups = sorted(live.manifest.groups.values())
    granted: list[tuple[str, str]] = []
    for step in range(12):
        choice = rng.choice(("grant", "member", "rename", "user"))
        user = rng.choice(users)
        if choice == "grant":
            account, arn = _grant_as_console(live, sso, user)
            granted.append((entitlement_id(account, arn), user))
        elif choice == "member":
            group = rng.choice(groups)
            found = identity.list_group_memberships(IdentityStoreId=store_id, GroupId=group)
            members = {
                m["MemberId"]["UserId"]: m["MembershipId"] for m in found["GroupMemberships"]
            }
            if user in members:
                identity.delete_group_membership(
                    IdentityStoreId=store_id, MembershipId=members[user]
                )
            else:
                identity.create_group_membership(
                    IdentityStoreId=store_id, GroupId=group, MemberId={"UserId": user}
                )
        elif choice == "rename":
            identity.update_group(
                IdentityStoreId=store_id,
                GroupId=rng.choice(groups),
                Operations=[{"AttributePath": "description", "AttributeValue": f"step {step}"}],
            )
        else:
            identity.update_user(
                IdentityStoreId=store_id,
                UserId=user,
                Operations=[{"AttributePath": "displayName", "AttributeValue": f"User {step}"}],
            )
    feed, _ = feed_of(live)
    feed.step()
    again = feed.step()  # reads the overlap again: nothing is applied twice
    assert again.targets == 0 and again.duplicate == again.events

    maintained = everything_served(lambda path: _served(live, path))
    assert_same(maintained, as_a_full_sync_serves(simulator_settings, tmp_path, live.store))
    for entitlement, user in granted:
        member = next(
            m for m in maintained[("Entitlements", entitlement)]["members"] if m["value"] == user
        )
        assert member["grantedBy"].endswith("/alice@example.com"), member
        assert member["grantedThrough"] == "outOfBand" and member["grantedAt"], member


def test_the_sqs_source_applies_a_message_and_deletes_it(live: Live) -> None:
    sqs = boto3.client("sqs", region_name=live.aws.region)
    events = boto3.client("events", region_name=live.aws.region)
    queue = create_change_queue(events, sqs, event_sources=REGIONAL_SOURCES + GLOBAL_SOURCES)
    identity = console(live, "identitystore")
    group = sorted(live.manifest.groups.values())[0]
    identity.update_group(
        IdentityStoreId=live.aws.identity_store_id,
        GroupId=group,
        Operations=[{"AttributePath": "displayName", "AttributeValue": "Renamed in the console"}],
    )
    feed, _ = feed_of(live, change_source="sqs", change_queue_url=queue.queue_url)

    report = feed.step()
    feed.step()  # the queue found empty: what was applied is deleted now

    assert report.changes >= 1
    assert _served(live, f"Groups/{group}")["displayName"] == "Renamed in the console"
    counts = sqs.get_queue_attributes(
        QueueUrl=queue.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert counts == {
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
    }


def _served_status(live: Live, path: str) -> int:
    return int(live.client.get(f"/scim/v2/{path}", headers=live.headers()).status_code)


def test_status_shows_how_far_the_feed_has_read_each_source(
    live: Live, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_of(live)[0].step()
    for key, value in settings_to_env(simulator_settings(str(live.store.engine.url))).items():
        monkeypatch.setenv(key, value)

    assert main(["status"]) == 0

    shown = capsys.readouterr().out
    for source in REGIONAL_SOURCES + GLOBAL_SOURCES:
        assert f"change feed  {source}" in shown


def test_reconciliation_counts_what_the_feed_missed_and_nothing_it_applied(live: Live) -> None:
    identity = console(live, "identitystore")
    user = sorted(live.manifest.users.values())[0]
    feed, _ = feed_of(live)
    settings = simulator_settings(str(live.store.engine.url))

    def rename(name: str) -> None:
        identity.update_user(
            IdentityStoreId=live.aws.identity_store_id,
            UserId=user,
            Operations=[{"AttributePath": "displayName", "AttributeValue": name}],
        )

    rename("Applied by the feed")
    feed.step()
    reconciled = run_sync(settings, live.store, connect(settings))
    assert report_missed_changes(live.store, reconciled.sync_id) == []

    # An event that never arrives (EventBridge and CloudTrail are best effort).
    behaviour().update(cloudtrail_delivery=EventDelivery(delay_seconds=86400))
    rename("Missed by the feed")
    feed.step()
    reconciled = run_sync(settings, live.store, connect(settings))
    missed = report_missed_changes(live.store, reconciled.sync_id)
    assert ("User", user, "changed") in missed
    assert _served(live, f"Users/{user}")["displayName"] == "Missed by the feed"


def test_an_account_created_in_the_console_is_served_after_its_create_account_result(
    live: Live,
) -> None:
    created = console(live, "organizations").create_account(
        AccountName="staging", Email="staging@example.com"
    )["CreateAccountStatus"]
    assert _served_status(live, f"AwsAccounts/{created['AccountId']}") == 404

    report = feed_of(live)[0].step()

    assert report.changes >= 1
    assert _served(live, f"AwsAccounts/{created['AccountId']}")["name"] == "staging"


def test_a_message_the_feed_cannot_read_ends_in_the_dead_letter_queue(live: Live) -> None:
    sqs = boto3.client("sqs", region_name=live.aws.region)
    queue = create_change_queue(
        boto3.client("events", region_name=live.aws.region),
        sqs,
        event_sources=REGIONAL_SOURCES + GLOBAL_SOURCES,
        max_receive_count=2,
        visibility_timeout=0,  # a message left on the queue is received again at once
    )
    sqs.send_message(QueueUrl=queue.queue_url, MessageBody='{"detail-type": "not an event"}')
    group = sorted(live.manifest.groups.values())[0]
    console(live, "identitystore").update_group(
        IdentityStoreId=live.aws.identity_store_id,
        GroupId=group,
        Operations=[{"AttributePath": "displayName", "AttributeValue": "Beside the poison"}],
    )
    feed, _ = feed_of(live, change_source="sqs", change_queue_url=queue.queue_url)

    def dead_lettered() -> list[dict[str, Any]]:
        feed.step()
        found = sqs.receive_message(QueueUrl=queue.dead_letter_queue_url, WaitTimeSeconds=0)
        return list(found.get("Messages", []))

    (dead,) = wait_for(dead_lettered, timeout=60, what="the poison message is dead-lettered")
    assert dead["Body"] == '{"detail-type": "not an event"}'
    assert _served(live, f"Groups/{group}")["displayName"] == "Beside the poison"
    assert "Messages" not in sqs.receive_message(QueueUrl=queue.queue_url, WaitTimeSeconds=0)
