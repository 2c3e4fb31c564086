"""Who assigned each application and when, as SCIM serves it to a certifier.

AWS keeps no creator or date on an application assignment. An application
granted through the connector names the token that asked and its operation; one
assigned in the console names the caller and the time CloudTrail recorded, once
the change feed has seen the event. Both show on the application entitlement's
members and on the user's effective access, filter in SQL, and survive a
reconciling full sync, which finds nothing changed. An assignment removed and
made again never shows its predecessor's provenance.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from connector.record_keys import application_entitlement_id
from schemas.urns import AWS_USER
from tests.feed_support import console, feed_of
from tests.live import (
    Live,
    ended,
    first_user,
    free_application,
    reconciling_sync,
)

EFFECTIVE = f"{AWS_USER}:effectiveAccess"
PROVENANCE = ("grantedAt", "grantedBy", "grantedThrough", "operation")


def _get(live: Live, path: str) -> dict[str, Any]:
    answer = live.client.get(f"/scim/v2/{path}", headers=live.headers())
    assert answer.status_code == 200, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def _member(live: Live, arn: str, principal_id: str) -> dict[str, Any]:
    members = _get(live, f"Entitlements/{application_entitlement_id(arn)}").get("members", [])
    return next(m for m in members if m["value"] == principal_id)


def _route(live: Live, user: str, arn: str, group: str | None = None) -> dict[str, Any]:
    """The user's effective-access entry of the application: direct, or through `group`
    (the user may hold it by other routes too)."""
    entries = _get(live, f"Users/{user}?attributes={EFFECTIVE}")[AWS_USER]["effectiveAccess"]
    (found,) = [e for e in entries if e.get("applicationArn") == arn and e.get("viaGroup") == group]
    assert found["via"] == ("group" if group else "direct")
    return found


def _ids(live: Live, endpoint: str, filter_text: str) -> set[str]:
    body = _get(live, f"{endpoint}?count=1000&filter={quote(filter_text)}")
    assert body["totalResults"] == len(body["Resources"])
    return {r["id"] for r in body["Resources"]}


def _shown(member: dict[str, Any]) -> dict[str, Any]:
    """The provenance a member or an entry shows (a null attribute is left out)."""
    return {name: member.get(name) for name in PROVENANCE}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _grant(live: Live, principal: str, arn: str, *, group: bool = False) -> str:
    """Grant the application through the connector (PATCH); the operation's id, once ended."""
    path = f"Groups/{principal}" if group else f"Users/{principal}"
    answer = live.patch(
        path,
        {
            "op": "add",
            "path": "entitlements",
            "value": [{"value": application_entitlement_id(arn)}],
        },
    )
    assert answer.status_code in (200, 202, 204), answer.get_json()
    return ended(live, answer).id


def _in_console(live: Live, action: str, arn: str, user: str) -> None:
    """Assign the application to the user ("create") or unassign it ("delete") in AWS
    itself, as an administrator in the console does."""
    call = getattr(console(live, "sso-admin"), f"{action}_application_assignment")
    call(ApplicationArn=arn, PrincipalId=user, PrincipalType="USER")


def _created_in_cloudtrail(live: Live, arn: str, principal_id: str) -> dict[str, Any]:
    """The newest CreateApplicationAssignment event of the assignment, as CloudTrail has it."""
    pages = console(live, "cloudtrail").get_paginator("lookup_events").paginate()
    records = [
        json.loads(e["CloudTrailEvent"])
        for page in pages
        for e in page["Events"]
        if e["EventName"] == "CreateApplicationAssignment"
    ]
    found = [
        r
        for r in records
        if (r["requestParameters"]["applicationArn"], r["requestParameters"]["principalId"])
        == (arn, principal_id)
    ]
    assert found, records
    return max(found, key=lambda r: str(r["eventTime"]))


def test_an_application_granted_through_the_connector_names_its_token_and_operation(
    live: Live,
) -> None:
    user = first_user(live)
    arn = free_application(live, "USER", user)
    operation = _grant(live, user, arn)
    (step,) = live.operation(operation).steps
    assert step.finished_at is not None

    member = _member(live, arn, user)
    assert member["grantedThrough"] == "connector"
    assert member["grantedBy"] == "iga-writer"
    assert member["operation"] == operation
    assert _instant(member["grantedAt"]) == step.finished_at
    direct = _route(live, user, arn)
    assert _shown(direct) == _shown(member)

    assert reconciling_sync(live) == 0
    assert _member(live, arn, user) == member
    assert _route(live, user, arn) == direct

    entitlement = application_entitlement_id(arn)
    assert _ids(live, "Entitlements", 'members.grantedThrough eq "connector"') == {entitlement}
    assert _ids(live, "Entitlements", f'members.operation eq "{operation}"') == {entitlement}
    assert _ids(live, "Users", f'{EFFECTIVE}.operation eq "{operation}"') == {user}
    assert _ids(
        live, "Users", f'{EFFECTIVE}[type eq "application" and grantedBy eq "iga-writer"]'
    ) == {user}


def test_an_application_granted_to_a_group_shows_on_its_members_routes(live: Live) -> None:
    memberships = live.manifest.expected_memberships()
    group = sorted(g for g, _ in memberships)[0]
    members = {u for g, u in memberships if g == group}
    arn = free_application(live, "GROUP", group)
    operation = _grant(live, group, arn, group=True)

    assert _member(live, arn, group)["operation"] == operation
    for user in sorted(members):
        route = _route(live, user, arn, group)
        assert (route["grantedThrough"], route["grantedBy"], route["operation"]) == (
            "connector",
            "iga-writer",
            operation,
        )
    assert _ids(live, "Users", f'{EFFECTIVE}.operation eq "{operation}"') == members
    assert reconciling_sync(live) == 0


def test_an_application_assigned_in_the_console_names_the_caller_cloudtrail_recorded(
    live: Live,
) -> None:
    user = sorted(live.manifest.users.values())[1]
    arn = free_application(live, "USER", user)
    _in_console(live, "create", arn, user)
    # A sync alone sees the assignment but not who made it.
    reconciling_sync(live)
    _assert_unrecorded(live, arn, user)

    feed_of(live)[0].step()

    member = _assert_made_in_console(live, arn, user)
    assert "AWSReservedSSO_AdministratorAccess" in member["grantedBy"]
    direct = _route(live, user, arn)
    assert _shown(direct) == _shown(member)
    assert application_entitlement_id(arn) in _ids(
        live, "Entitlements", f'members.grantedBy eq "{member["grantedBy"]}"'
    )

    assert reconciling_sync(live) == 0
    assert _member(live, arn, user) == member
    assert _route(live, user, arn) == direct


def test_an_application_revoked_and_assigned_again_in_the_console_loses_the_connectors_provenance(
    live: Live,
) -> None:
    """Removed and made again between two polls of the feed: the assignment is still
    held when the feed re-reads it, and the latest making is what it shows."""
    user = sorted(live.manifest.users.values())[2]
    arn = free_application(live, "USER", user)
    _grant(live, user, arn)
    _in_console(live, "delete", arn, user)
    _in_console(live, "create", arn, user)

    feed_of(live)[0].step()

    _assert_made_in_console(live, arn, user)
    assert reconciling_sync(live) == 0


def test_an_application_revoked_through_the_connector_and_assigned_again_shows_no_earlier_grant(
    live: Live,
) -> None:
    user = sorted(live.manifest.users.values())[3]
    arn = free_application(live, "USER", user)
    _grant(live, user, arn)
    answer = live.patch(
        f"Users/{user}",
        {"op": "remove", "path": f'entitlements[value eq "{application_entitlement_id(arn)}"]'},
    )
    assert answer.status_code in (200, 202, 204), answer.get_json()
    ended(live, answer)
    _in_console(live, "create", arn, user)
    reconciling_sync(live)

    _assert_unrecorded(live, arn, user)


def test_an_application_revoked_in_the_console_and_assigned_again_shows_no_earlier_grant(
    live: Live,
) -> None:
    """With no change feed, the sync that sees the assignment gone forgets its grant."""
    user = sorted(live.manifest.users.values())[4]
    arn = free_application(live, "USER", user)
    _grant(live, user, arn)
    _in_console(live, "delete", arn, user)
    reconciling_sync(live)
    _in_console(live, "create", arn, user)
    reconciling_sync(live)

    _assert_unrecorded(live, arn, user)


def _assert_made_in_console(live: Live, arn: str, user: str) -> dict[str, Any]:
    """The member shows the caller and the time of the assignment's latest making in
    CloudTrail, out of band; the member."""
    event = _created_in_cloudtrail(live, arn, user)
    member = _member(live, arn, user)
    assert _shown(member) == {
        "grantedAt": member["grantedAt"],
        "grantedBy": event["userIdentity"]["arn"],
        "grantedThrough": "outOfBand",
        "operation": None,
    }
    assert _instant(member["grantedAt"]) == _instant(event["eventTime"])
    return member


def _assert_unrecorded(live: Live, arn: str, user: str) -> None:
    """The assignment shows as made out of band by someone the connector did not see."""
    unrecorded = {
        "grantedAt": None,
        "grantedBy": None,
        "grantedThrough": "outOfBand",
        "operation": None,
    }
    assert _shown(_member(live, arn, user)) == unrecorded
    direct = _route(live, user, arn)
    assert _shown(direct) == unrecorded


def test_the_review_export_names_who_granted_an_application(live: Live) -> None:
    user = first_user(live)
    arn = free_application(live, "USER", user)
    operation = _grant(live, user, arn)
    answer = live.client.get("/reports/review?format=json", headers=live.headers())
    assert answer.status_code == 200, answer.get_data(as_text=True)
    (row,) = [
        r
        for r in answer.get_json()["rows"]
        if (r["userId"], r["applicationArn"], r["route"]) == (user, arn, "direct")
    ]
    assert (row["grantedThrough"], row["grantedBy"]) == ("connector", "iga-writer")
    assert _instant(row["grantedAt"]) == live.operation(operation).steps[0].finished_at
