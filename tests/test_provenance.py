"""Who made each access and when, as SCIM serves it to a certifier.

Assignments made through the connector name the token that asked and its
operation; those made in the console name the caller CloudTrail recorded, once
the change feed has seen the event; a membership falls back on the Identity
Store's own CreatedAt and CreatedBy. A full sync afterwards keeps all of it,
and finds nothing the write path or the feed recorded differently.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import boto3

from connector.connection import connect
from connector.feed.build import build_feed
from connector.record_keys import entitlement_id
from connector.simulator.cloudtrail import console_administrator, register_principal
from schemas.urns import AWS_USER
from tests.live import Live, free_pair, grant_op, reconciling_sync
from tests.simulation import simulator_settings

CONSOLE_KEY = "AKIACONSOLEADMIN0002"
EFFECTIVE = f"{AWS_USER}:effectiveAccess"


def _get(live: Live, path: str) -> dict[str, Any]:
    answer = live.client.get(f"/scim/v2/{path}", headers=live.headers())
    assert answer.status_code == 200, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def _member(live: Live, account: str, arn: str, principal_id: str) -> dict[str, Any]:
    members = _get(live, f"Entitlements/{entitlement_id(account, arn)}")["members"]
    return next(m for m in members if m["value"] == principal_id)


def _access(live: Live, user: str) -> list[dict[str, Any]]:
    body = _get(live, f"Users/{user}?attributes={EFFECTIVE}")
    entries: list[dict[str, Any]] = body[AWS_USER]["effectiveAccess"]
    return entries


def _console(live: Live, service: str) -> Any:
    """A client of an administrator in the console (carol), behind the connector's back."""
    register_principal(console_administrator(CONSOLE_KEY, user_name="carol@example.com"))
    return boto3.client(
        service,
        region_name=live.aws.region,
        aws_access_key_id=CONSOLE_KEY,
        aws_secret_access_key="console-secret",
    )


def _group_holding_access(live: Live) -> str:
    """A group that holds an assignment (granted in AWS and synced), so its members
    have a route through it."""
    group = min(
        sorted(live.manifest.groups.values()),
        key=lambda g: len(_get(live, f"Groups/{g}").get("members", [])),
    )
    account, arn = free_pair(live, "GROUP", group)
    live.grant_in_console(account, arn, "GROUP", group)
    reconciling_sync(live)
    return group


def _non_member(live: Live, group: str) -> str:
    members = {m["value"] for m in _get(live, f"Groups/{group}").get("members", [])}
    return next(u for u in sorted(live.manifest.users.values()) if u not in members)


def test_a_grant_through_the_connector_names_its_token_and_operation(live: Live) -> None:
    user = sorted(live.manifest.users.values())[0]
    account, arn = free_pair(live, "USER", user)
    answer = live.patch(f"Users/{user}", grant_op(account, arn))
    assert answer.status_code == 200
    operation = answer.headers["X-Operation"].rsplit("/", 1)[-1]
    finished = live.operation(operation).finished_at
    assert finished is not None

    member = _member(live, account, arn, user)
    assert member["grantedThrough"] == "connector"
    assert member["grantedBy"] == "iga-writer"
    assert member["operation"] == operation
    assert member["grantedAt"] is not None
    (direct,) = [
        e
        for e in _access(live, user)
        if e["value"] == entitlement_id(account, arn) and e["via"] == "direct"
    ]
    assert {k: direct[k] for k in ("grantedBy", "grantedThrough", "operation")} == {
        "grantedBy": "iga-writer",
        "grantedThrough": "connector",
        "operation": operation,
    }

    assert reconciling_sync(live) == 0
    assert _member(live, account, arn, user) == member

    found = _get(live, 'Entitlements?filter=members.grantedThrough eq "connector"')
    assert [r["id"] for r in found["Resources"]] == [entitlement_id(account, arn)]
    found = _get(live, f'Users?filter={EFFECTIVE}.operation eq "{operation}"&attributes=userName')
    assert [r["id"] for r in found["Resources"]] == [user]


def test_a_membership_through_the_connector_shows_on_the_route_through_its_group(
    live: Live,
) -> None:
    group = _group_holding_access(live)
    user = _non_member(live, group)
    answer = live.patch(
        f"Groups/{group}", {"op": "add", "path": "members", "value": [{"value": user}]}
    )
    assert answer.status_code in (200, 204), answer.get_json()
    operation = answer.headers["X-Operation"].rsplit("/", 1)[-1]

    routes = [e for e in _access(live, user) if e.get("viaGroup") == group]
    assert routes
    for route in routes:
        assert route["memberAddedBy"] == "iga-writer"
        assert route["memberAddedThrough"] == "connector"
        assert route["memberOperation"] == operation
        assert route["memberSince"] is not None

    assert reconciling_sync(live) == 0
    assert [e for e in _access(live, user) if e.get("viaGroup") == group] == routes


def test_console_changes_are_out_of_band_named_by_cloudtrail_or_the_identity_store(
    live: Live,
) -> None:
    sso = _console(live, "sso-admin")
    user = sorted(live.manifest.users.values())[1]
    account, arn = free_pair(live, "USER", user)
    sso.create_account_assignment(**live.assignment_request(account, arn, "USER", user))
    # A sync alone sees the assignment but not who made it.
    reconciling_sync(live)
    member = _member(live, account, arn, user)
    assert member["grantedThrough"] == "outOfBand"
    assert "grantedBy" not in member and "grantedAt" not in member

    settings = simulator_settings(
        str(live.store.engine.url), change_source="cloudtrail", change_overlap="5m"
    )
    feed = build_feed(settings, live.store, connect(settings))
    assert feed is not None
    feed.step()

    member = _member(live, account, arn, user)
    assert member["grantedThrough"] == "outOfBand"
    assert member["grantedBy"].endswith("/carol@example.com")
    assert "AWSReservedSSO_AdministratorAccess" in member["grantedBy"]
    assert member["grantedAt"] is not None
    assert reconciling_sync(live) == 0
    assert _member(live, account, arn, user) == member


def test_a_console_membership_is_dated_and_named_by_the_identity_store(live: Live) -> None:
    identity = _console(live, "identitystore")
    group = _group_holding_access(live)
    user = _non_member(live, group)
    identity.create_group_membership(
        IdentityStoreId=live.aws.identity_store_id, GroupId=group, MemberId={"UserId": user}
    )
    made = identity.list_group_memberships_for_member(
        IdentityStoreId=live.aws.identity_store_id, MemberId={"UserId": user}
    )["GroupMemberships"]
    created = next(m for m in made if m["GroupId"] == group)["CreatedAt"]

    reconciling_sync(live)

    routes = [e for e in _access(live, user) if e.get("viaGroup") == group]
    assert routes
    for route in routes:
        assert route["memberAddedThrough"] == "outOfBand"
        assert route["memberAddedBy"].endswith("/carol@example.com")
        shown = datetime.fromisoformat(route["memberSince"].replace("Z", "+00:00"))
        assert abs(shown - created) < timedelta(seconds=1), (shown, created)
        assert "memberOperation" not in route


def test_an_access_revoked_and_made_again_in_the_console_loses_the_connectors_provenance(
    live: Live,
) -> None:
    user = sorted(live.manifest.users.values())[2]
    account, arn = free_pair(live, "USER", user)
    assert live.patch(f"Users/{user}", grant_op(account, arn)).status_code == 200
    assert _member(live, account, arn, user)["grantedThrough"] == "connector"
    live.revoke_in_console(account, arn, "USER", user)
    reconciling_sync(live)  # the sync sees it gone: what was known of it goes too
    live.grant_in_console(account, arn, "USER", user)
    reconciling_sync(live)

    member = _member(live, account, arn, user)
    assert member["grantedThrough"] == "outOfBand"
    assert "operation" not in member and "grantedBy" not in member


def test_users_and_groups_are_dated_and_named_as_the_identity_store_records_them(
    live: Live,
) -> None:
    identity = _console(live, "identitystore")
    user = sorted(live.manifest.users.values())[3]
    identity.update_user(
        IdentityStoreId=live.aws.identity_store_id,
        UserId=user,
        Operations=[{"AttributePath": "displayName", "AttributeValue": "Renamed In Console"}],
    )
    described = identity.describe_user(IdentityStoreId=live.aws.identity_store_id, UserId=user)
    reconciling_sync(live)

    served = _get(live, f"Users/{user}")
    shown = served[AWS_USER]
    assert _instant(served["meta"]["created"]) == described["CreatedAt"]
    assert _instant(shown["updatedAt"]) == described["UpdatedAt"]
    assert shown["updatedBy"].endswith("/carol@example.com")
    assert shown.get("createdBy") == described.get("CreatedBy")
    # When the connector saw the change, never before it: delta aggregation finds it.
    assert _instant(served["meta"]["lastModified"]) >= described["UpdatedAt"]

    group = sorted(live.manifest.groups.values())[0]
    aws_group = identity.describe_group(IdentityStoreId=live.aws.identity_store_id, GroupId=group)
    assert _instant(_get(live, f"Groups/{group}")["meta"]["created"]) == aws_group["CreatedAt"]


def _instant(text: str) -> datetime:
    """A served dateTime, to compare with botocore's."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
