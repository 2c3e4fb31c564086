"""Applications granted and revoked through the same PATCH and PUT as account assignments.

An application entitlement ("app.apl-...") named in a user's `entitlements` or a
group's extension `entitlements` becomes a CreateApplicationAssignment or
DeleteApplicationAssignment. Each test checks what AWS ends up holding (read
with boto3 from the simulator: ListApplicationAssignments), what the store's
snapshot holds right after, what the ledger recorded and what the client was
answered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from connector.record_keys import application_entitlement_id
from connector.simulator import behaviour
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store import ledger
from connector.store import tables as t
from connector.store.snapshots import current_snapshot_id
from connector.writers.applications import GrantApplication, RevokeApplication
from connector.writers.registry import intent_from_json
from connector.writers.replay import replay_writes
from tests.live import (
    Live,
    first_user,
    free_application,
    free_pair,
    grant_op,
    left_by_dead_runner,
    new_user,
    open_live,
    resumed,
)

AWS_GROUP = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:Group"
AWS_USER = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User"


def app_holds(live: Live, application_arn: str, principal_type: str, principal_id: str) -> bool:
    """Whether AWS itself holds the application assignment."""
    pages = live.aws.sso_admin.get_paginator("list_application_assignments").paginate(
        ApplicationArn=application_arn
    )
    return any(
        (a["PrincipalType"], a["PrincipalId"]) == (principal_type, principal_id)
        for page in pages
        for a in page["ApplicationAssignments"]
    )


def stored(live: Live, application_arn: str, principal_type: str, principal_id: str) -> bool:
    """Whether the served snapshot holds the application assignment."""
    a = t.application_assignments
    with live.store.reading() as connection:
        snapshot_id = current_snapshot_id(connection)
        found = connection.execute(
            sa.select(a.c.principal_id).where(
                a.c.snapshot_id == snapshot_id,
                a.c.application_arn == application_arn,
                a.c.principal_type == principal_type,
                a.c.principal_id == principal_id,
            )
        ).first()
    return found is not None


def served(live: Live, path: str) -> dict[str, Any]:
    answer = live.client.get(f"/scim/v2/{path}", headers=live.headers())
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json())


def routes(live: Live, user: str, application_arn: str) -> list[tuple[str, str | None]]:
    """(via, viaGroup) of each route by which the user's effective access holds the application."""
    document = served(live, f"Users/{user}?attributes={AWS_USER}:effectiveAccess")
    return [
        (entry["via"], entry.get("viaGroup"))
        for entry in document.get(AWS_USER, {}).get("effectiveAccess", [])
        if entry.get("applicationArn") == application_arn
    ]


def add(entitlement: str) -> dict[str, object]:
    return {"op": "add", "path": "entitlements", "value": [{"value": entitlement}]}


def remove(entitlement: str) -> dict[str, object]:
    return {"op": "remove", "path": f'entitlements[value eq "{entitlement}"]'}


def calls(live: Live, operation: str) -> int:
    return live.provisioner.aws().stats.calls[f"sso-admin:{operation}"]


def operation_of(live: Live, answer: object) -> ledger.OperationRecord:
    headers = answer.headers  # type: ignore[attr-defined]
    return live.operation(headers["X-Operation"].rsplit("/", 1)[-1])


def test_patch_grants_then_revokes_an_application_to_a_user(live: Live) -> None:
    user = first_user(live)
    arn = free_application(live, "USER", user)
    entitlement = application_entitlement_id(arn)

    version = served(live, f"Entitlements/{entitlement}")["meta"]["version"]
    granted = live.patch(f"Users/{user}", add(entitlement))
    assert granted.status_code == 200, granted.get_json()
    assert app_holds(live, arn, "USER", user)
    assert stored(live, arn, "USER", user)  # write-through: a read right after shows it
    assert entitlement in {e["value"] for e in granted.get_json()["entitlements"]}
    after = served(live, f"Entitlements/{entitlement}")
    assert after["meta"]["version"] != version
    assert {m["value"] for m in after.get("members", [])} >= {user}
    assert ("direct", None) in routes(live, user, arn)
    record = operation_of(live, granted)
    (step,) = record.steps
    assert step.intent.kind == "grant_application" and step.status == "succeeded"
    assert step.aws_request_id
    assert calls(live, "CreateApplicationAssignment") == 1

    revoked = live.patch(f"Users/{user}", remove(entitlement))
    assert revoked.status_code == 200, revoked.get_json()
    assert not app_holds(live, arn, "USER", user)
    assert not stored(live, arn, "USER", user)
    assert ("direct", None) not in routes(live, user, arn)
    (step,) = operation_of(live, revoked).steps
    assert step.intent.kind == "revoke_application" and step.status == "succeeded"


def test_patch_grants_then_revokes_an_application_to_a_group(live: Live) -> None:
    group = live.manifest.groups[live.manifest.plan.memberships[0].group_key]
    arn = free_application(live, "GROUP", group)
    entitlement = application_entitlement_id(arn)

    granted = live.patch(
        f"Groups/{group}",
        {"op": "add", "path": f"{AWS_GROUP}:entitlements", "value": [{"value": entitlement}]},
    )
    assert granted.status_code == 200, granted.get_json()
    assert app_holds(live, arn, "GROUP", group)
    assert stored(live, arn, "GROUP", group)
    members = [m["value"] for m in served(live, f"Groups/{group}").get("members", [])]
    assert members, "the group of a seeded membership has members"
    for member in members:
        assert ("group", group) in routes(live, member, arn)

    revoked = live.patch(f"Groups/{group}", remove(entitlement))
    assert revoked.status_code == 200, revoked.get_json()
    assert not app_holds(live, arn, "GROUP", group)
    assert not stored(live, arn, "GROUP", group)
    for member in members:
        assert ("group", group) not in routes(live, member, arn)


def test_a_sync_that_read_aws_before_an_application_grant_does_not_hide_it(live: Live) -> None:
    user = first_user(live)
    arn = free_application(live, "USER", user)
    sync_id = live.store.begin_sync()
    read_before = live.store.read_snapshot()
    assert read_before is not None
    granted = live.patch(f"Users/{user}", add(application_entitlement_id(arn)))
    assert granted.status_code == 200, granted.get_json()
    live.store.publish(
        sync_id, read_before, aws={}, walk={}, organizations_unavailable=None, replay=replay_writes
    )
    assert stored(live, arn, "USER", user)


def test_granting_an_application_aws_holds_and_revoking_one_it_does_not_call_no_write(
    live: Live,
) -> None:
    arn, kind, principal = sorted(
        a for a in live.manifest.expected_application_assignments() if a[1] == "GROUP"
    )[0]
    again = live.patch(f"Groups/{principal}", add(application_entitlement_id(arn)))
    assert again.status_code == 200, again.get_json()
    (step,) = operation_of(live, again).steps
    assert step.status == "unchanged"
    assert calls(live, "CreateApplicationAssignment") == 0

    absent = free_application(live, "GROUP", principal)
    gone = live.patch(f"Groups/{principal}", remove(application_entitlement_id(absent)))
    assert gone.status_code == 200, gone.get_json()
    assert calls(live, "DeleteApplicationAssignment") == 0
    assert app_holds(live, arn, kind, principal)


def test_put_replaces_a_users_entitlements_with_an_application(live: Live) -> None:
    user = first_user(live)
    current = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_json()
    arn = free_application(live, "USER", user)
    replaced = live.client.put(
        f"/scim/v2/Users/{user}",
        json=current | {"entitlements": [{"value": application_entitlement_id(arn)}]},
        headers=live.headers(),
    )
    assert replaced.status_code == 200, replaced.get_json()
    assert app_holds(live, arn, "USER", user)
    kinds = [s.intent.kind for s in operation_of(live, replaced).steps]
    assert kinds.count("grant_application") == 1


def test_a_user_posted_with_an_application_is_created_then_granted_it(live: Live) -> None:
    arn = sorted(live.manifest.applications.values())[0]
    created = live.client.post(
        "/scim/v2/Users",
        json=new_user(
            "new.joiner@example.com",
            "New",
            "Joiner",
            entitlements=[{"value": application_entitlement_id(arn)}],
        ),
        headers=live.headers(),
    )
    assert created.status_code == 201, created.get_json()
    user = created.get_json()["id"]
    assert app_holds(live, arn, "USER", user)
    assert stored(live, arn, "USER", user)
    kinds = [s.intent.kind for s in operation_of(live, created).steps]
    assert kinds == ["create_user", "grant_application"]


def test_an_unknown_application_id_is_refused_and_changes_nothing(live: Live) -> None:
    user = first_user(live)
    unknown = "app.apl-0000000000000000"
    answer = live.patch(f"Users/{user}", add(unknown))
    assert answer.status_code == 400
    assert answer.get_json()["scimType"] == "invalidValue"
    assert unknown in answer.get_json()["detail"]
    assert calls(live, "CreateApplicationAssignment") == 0
    with live.store.reading() as connection:
        assert ledger.list_operations(connection, intent_from_json)[0] == 0


def test_a_dry_run_shows_the_exact_create_application_assignment(live: Live) -> None:
    user = first_user(live)
    arn = free_application(live, "USER", user)
    answer = live.patch(
        f"Users/{user}", add(application_entitlement_id(arn)), **{"X-Dry-Run": "true"}
    )
    assert answer.status_code == 200, answer.get_json()
    (step,) = answer.get_json()["steps"]
    assert step["calls"] == [
        {
            "service": "sso-admin",
            "operation": "CreateApplicationAssignment",
            "parameters": {"ApplicationArn": arn, "PrincipalId": user, "PrincipalType": "USER"},
        }
    ]
    assert calls(live, "CreateApplicationAssignment") == 0
    assert not app_holds(live, arn, "USER", user)


def test_a_guardrail_forbids_an_application_and_aws_is_unchanged(
    store_url: str, tmp_path: Path
) -> None:
    planned = plan_organisation(PRESETS["tiny"]).applications[0]
    policy = tmp_path / "guardrails.toml"
    policy.write_text(
        f'[[deny_application]]\nname = "no-{planned.key}"\n'
        f'applications = ["{planned.name.upper()}"]\n'
    )
    for live in open_live(store_url, tmp_path, guardrails_file=str(policy)):
        arn = live.manifest.applications[planned.key]
        user = next(
            u for u in sorted(live.manifest.users.values()) if not app_holds(live, arn, "USER", u)
        )
        answer = live.patch(f"Users/{user}", add(application_entitlement_id(arn)))
        assert answer.status_code == 403, answer.get_json()
        detail = answer.get_json()["detail"]
        assert f"no-{planned.key}" in detail
        assert f"Granting application {planned.name} to user {user} is forbidden" in detail
        assert calls(live, "CreateApplicationAssignment") == 0
        assert not app_holds(live, arn, "USER", user)
        with live.store.reading() as connection:
            assert ledger.list_operations(connection, intent_from_json)[0] == 0


def test_deleting_a_user_revokes_its_applications_first_recorded(live: Live) -> None:
    user = first_user(live)
    arn = free_application(live, "USER", user)
    # Assigned in AWS itself since the sync: only AWS's listing for the user shows it.
    live.aws.sso_admin.create_application_assignment(
        ApplicationArn=arn, PrincipalId=user, PrincipalType="USER"
    )
    deleted = live.client.delete(f"/scim/v2/Users/{user}", headers=live.headers())
    assert deleted.status_code == 204
    record = operation_of(live, deleted)
    revokes = [s for s in record.steps if s.intent.kind == "revoke_application"]
    assert [(s.intent, s.status) for s in revokes] == [
        (RevokeApplication(arn, "USER", user), "succeeded")
    ]
    assert record.steps[-1].intent.kind == "delete_user"
    assert calls(live, "DeleteApplicationAssignment") == 1
    assert not app_holds(live, arn, "USER", user)


def test_deleting_a_group_revokes_the_applications_the_store_shows_first(live: Live) -> None:
    arn, _, group = sorted(
        a for a in live.manifest.expected_application_assignments() if a[1] == "GROUP"
    )[0]
    assert stored(live, arn, "GROUP", group)
    deleted = live.client.delete(f"/scim/v2/Groups/{group}", headers=live.headers())
    assert deleted.status_code == 204
    record = operation_of(live, deleted)
    revoked = {s.intent for s in record.steps if s.intent.kind == "revoke_application"}
    assert RevokeApplication(arn, "GROUP", group) in revoked
    assert all(s.status == "succeeded" for s in record.steps)
    assert not app_holds(live, arn, "GROUP", group)
    assert not stored(live, arn, "GROUP", group)


def test_an_application_granted_before_a_failed_step_is_revoked_again(live: Live) -> None:
    user = first_user(live)
    arn = free_application(live, "USER", user)
    account, permission_set = free_pair(live, "USER", user)
    behaviour().update(failing_permission_set_arns={permission_set}, failure_reason="no")
    answer = live.patch(
        f"Users/{user}", add(application_entitlement_id(arn)), grant_op(account, permission_set)
    )
    assert answer.status_code == 502, answer.get_json()
    record = operation_of(live, answer)
    assert [(s.role, s.intent.kind, s.status) for s in record.steps] == [
        ("do", "grant_application", "succeeded"),
        ("do", "grant", "failed"),
        ("undo", "revoke_application", "succeeded"),
    ]
    assert not app_holds(live, arn, "USER", user)
    assert not stored(live, arn, "USER", user)


def test_a_grant_recorded_but_not_sent_when_the_runner_died_is_made_on_resume(
    live: Live,
) -> None:
    user = first_user(live)
    arn = free_application(live, "USER", user)
    intent = GrantApplication(arn, "USER", user)
    # What a process killed between its ledger record and its AWS call leaves behind.
    operation_id = "00000000-0000-4000-8000-0000000000a1"
    left_by_dead_runner(live, operation_id, intent, action="patch", resource_id=user)
    assert not app_holds(live, arn, "USER", user)
    record, resumer = resumed(live, operation_id)
    assert record.status == "succeeded"
    assert record.steps[0].status == "succeeded" and record.steps[0].aws_request_id
    assert resumer.aws().stats.calls["sso-admin:CreateApplicationAssignment"] == 1
    assert "resumed" in [e.status for e in record.events]
    assert app_holds(live, arn, "USER", user)
    assert stored(live, arn, "USER", user)
