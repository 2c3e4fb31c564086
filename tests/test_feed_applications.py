"""The change feed brings application changes made outside the connector into the store.

An administrator assigns and unassigns applications, and changes whether an
application requires assignment, in AWS itself (another access key, as in the
console); the feed reads the events from CloudTrail's event history and the
store's application tables then hold what AWS holds. The connector's own
application writes are recognised by their request ids and cost no re-read.
"""

from __future__ import annotations

import sqlalchemy as sa

from connector.record_keys import application_entitlement_id
from connector.store import tables as t
from connector.store.snapshots import current_snapshot_id
from tests.feed_support import console, feed_of, one_step_calling
from tests.live import Live, first_user


def stored_assignments(live: Live, application_arn: str) -> set[tuple[str, str]]:
    a = t.application_assignments
    with live.store.reading() as connection:
        snapshot_id = current_snapshot_id(connection)
        rows = connection.execute(
            sa.select(a.c.principal_type, a.c.principal_id).where(
                a.c.snapshot_id == snapshot_id, a.c.application_arn == application_arn
            )
        )
        return {(row.principal_type, row.principal_id) for row in rows}


def assignment_required(live: Live, application_arn: str) -> bool:
    with live.store.reading() as connection:
        snapshot_id = current_snapshot_id(connection)
        return bool(
            connection.execute(
                sa.select(t.applications.c.assignment_required).where(
                    t.applications.c.snapshot_id == snapshot_id,
                    t.applications.c.arn == application_arn,
                )
            ).scalar_one()
        )


def in_aws(live: Live, application_arn: str) -> set[tuple[str, str]]:
    listed = live.aws.sso_admin.list_application_assignments(ApplicationArn=application_arn)
    return {(a["PrincipalType"], a["PrincipalId"]) for a in listed["ApplicationAssignments"]}


def test_application_changes_made_in_the_console_reach_the_store(live: Live) -> None:
    sso = console(live, "sso-admin")
    arn, kind, principal = sorted(live.manifest.expected_application_assignments())[0]
    user = first_user(live)
    assert ("USER", user) not in stored_assignments(live, arn)
    required = assignment_required(live, arn)
    sso.create_application_assignment(ApplicationArn=arn, PrincipalId=user, PrincipalType="USER")
    sso.delete_application_assignment(ApplicationArn=arn, PrincipalId=principal, PrincipalType=kind)
    sso.put_application_assignment_configuration(
        ApplicationArn=arn, AssignmentRequired=not required
    )

    report = feed_of(live)[0].step()

    assert stored_assignments(live, arn) == in_aws(live, arn)
    assert ("USER", user) in stored_assignments(live, arn)
    assert (kind, principal) not in stored_assignments(live, arn)
    assert assignment_required(live, arn) is (not required)
    assert report.targets >= 1 and report.changes >= 2


def test_the_connectors_own_application_grant_costs_no_re_read(live: Live) -> None:
    user = first_user(live)
    held = {a for a, k, p in live.manifest.expected_application_assignments() if p == user}
    arn = next(a for a in sorted(live.manifest.applications.values()) if a not in held)
    granted = live.patch(
        f"Users/{user}",
        {
            "op": "add",
            "path": "entitlements",
            "value": [{"value": application_entitlement_id(arn)}],
        },
    )
    assert granted.status_code == 200, granted.get_json()
    report, made = one_step_calling(live)

    assert report.own >= 1 and report.targets == 0
    assert made == {"cloudtrail:LookupEvents"}
    assert ("USER", user) in stored_assignments(live, arn)
