"""The live write harness: a simulated Identity Center, a synced store and the app.

tests/conftest.py builds the apps most write tests use from `open_live` (`live`,
`live_sqlite`, `live_short_wait` and the module-wide `shared_live`); a module
that needs other settings, as the fault and throttling suites do, makes its own
fixture from it. The helpers below set up what the tests' scenarios start from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from connector.connection import connect
from connector.provisioning.provisioner import Provisioner
from connector.record_keys import entitlement_id
from connector.simulator import Manifest, SimulatedAws, load_plan, simulated_aws
from connector.simulator.plan import OrganisationPlan
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store import ledger, write_claims
from connector.store.store import Store
from connector.sync import run_sync
from connector.tokens import create_token
from connector.writers.registry import intent_from_json
from scim.app import create_app
from tests.simulation import simulator_settings

if TYPE_CHECKING:
    from connector.intents import Intent

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@dataclass
class Live:
    client: FlaskClient
    token: str
    aws: SimulatedAws
    manifest: Manifest
    store: Store
    provisioner: Provisioner

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def patch(self, path: str, *operations: dict[str, Any], **headers: str) -> Any:
        return self.client.patch(
            f"/scim/v2/{path}",
            json={"schemas": [PATCH_OP], "Operations": list(operations)},
            headers=self.headers(**headers),
        )

    def holds(self, account: str, arn: str, principal_type: str, principal_id: str) -> bool:
        """Whether AWS itself holds the assignment."""
        pages = self.aws.sso_admin.get_paginator("list_account_assignments").paginate(
            InstanceArn=self.aws.instance_arn, AccountId=account, PermissionSetArn=arn
        )
        return any(
            a["PrincipalType"] == principal_type and a["PrincipalId"] == principal_id
            for page in pages
            for a in page["AccountAssignments"]
        )

    def grant_in_console(
        self, account: str, arn: str, principal_type: str, principal_id: str
    ) -> None:
        """Assign in AWS itself, as an administrator in the console would: the served data
        does not show it until the next sync."""
        self.aws.sso_admin.create_account_assignment(
            **self.assignment_request(account, arn, principal_type, principal_id)
        )

    def revoke_in_console(
        self, account: str, arn: str, principal_type: str, principal_id: str
    ) -> str:
        """Delete the assignment in AWS itself, as in the console; AWS's request id."""
        deleted = self.aws.sso_admin.delete_account_assignment(
            **self.assignment_request(account, arn, principal_type, principal_id)
        )
        return str(deleted["AccountAssignmentDeletionStatus"]["RequestId"])

    def assignment_request(
        self, account: str, arn: str, principal_type: str, principal_id: str
    ) -> dict[str, str]:
        return {
            "InstanceArn": self.aws.instance_arn,
            "TargetId": account,
            "TargetType": "AWS_ACCOUNT",
            "PermissionSetArn": arn,
            "PrincipalType": principal_type,
            "PrincipalId": principal_id,
        }

    def create_calls(self) -> int:
        return self.provisioner.aws().stats.calls["sso-admin:CreateAccountAssignment"]

    def operation(self, operation_id: str) -> ledger.OperationRecord:
        with self.store.reading() as connection:
            found = ledger.get(connection, operation_id, intent_from_json)
        assert found is not None
        return found


def operation_id(answer: Any) -> str:
    """The id of the operation a write's answer names (`X-Operation`)."""
    return str(answer.headers["X-Operation"].rsplit("/", 1)[-1])


def ended(live: Live, answer: Any, seconds: float = 120) -> ledger.OperationRecord:
    """The operation behind a write's answer, once it has ended (polling the ledger).

    A test asserts what a write did once this returns, not on the status it was
    answered: on a busy machine a write that an idle one finishes within the
    service's wait is answered 202, and finishes later.
    """
    record = live.provisioner.wait(operation_id(answer), seconds)
    assert record.finished, f"operation {record.id} still {record.status} after {seconds:g} s"
    return record


# How long a write waits for AWS before answering 202, unless a test sets it: a
# bound, not a delay (the answer comes as soon as the operation ends), long
# enough that a test of the synchronous answer (RFC 7644's 200, 201, 204)
# gets it on a busy machine, where quick writes can take longer than the
# service's default 10 s. Tests of the 202 set a short one.
WRITE_WAIT_BOUND = "120"


def open_live(
    url: str, tmp_path: Path, *, plan: OrganisationPlan | None = None, **overrides: Any
) -> Iterator[Live]:
    """The app on a synced store of `plan` (the tiny preset unless given)."""
    with simulated_aws() as aws:
        manifest = load_plan(plan or plan_organisation(PRESETS["tiny"]))
        settings = simulator_settings(url, **{"write_wait": WRITE_WAIT_BOUND, **overrides})
        store = Store.open(url)
        run_sync(settings, store, connect(settings))
        provisioner = Provisioner(store, settings, lambda: connect(settings))
        app = create_app(settings, store=store, provisioner=provisioner)
        token = create_token(store, "iga-writer", "write")
        try:
            yield Live(app.test_client(), token, aws, manifest, store, provisioner)
        finally:
            provisioner.close()
            store.close()


def open_operation(
    connection: sa.Connection,
    operation_id: str,
    intent: Intent,
    *,
    action: str,
    resource_id: str | None,
    runner: str,
    now: datetime,
) -> None:
    """Record a User write of one intent in the ledger, opened for the iga-writer token as a
    request opens it, and leave it there unrun: a write still open, or what a runner that
    died left behind."""
    ledger.create_operation(
        connection,
        operation_id=operation_id,
        token_name="iga-writer",
        action=action,
        resource_type="User",
        resource_id=resource_id,
        idempotency_key=None,
        request_hash="h",
        intents=[intent],
        runner=runner,
        now=now,
    )


def left_by_dead_runner(
    live: Live, operation_id: str, intent: Intent, *, action: str, resource_id: str | None
) -> None:
    """What a process killed during its one step leaves: the operation open five minutes
    ago, its locks held and its step started."""
    stale = datetime.now(UTC) - timedelta(minutes=5)
    with live.store.writing() as connection:
        open_operation(
            connection,
            operation_id,
            intent,
            action=action,
            resource_id=resource_id,
            runner="dead-process",
            now=stale,
        )
        assert write_claims.take_locks(connection, operation_id, intent.lock_keys, stale)
        ledger.start_step(connection, operation_id, 0, stale)


def resumed(live: Live, operation_id: str) -> tuple[ledger.OperationRecord, Provisioner]:
    """The operation resumed as a restarted service resumes it, once ended; and the
    resumer (closed), whose AWS calls a test counts."""
    settings = simulator_settings(str(live.store.engine.url), write_resume_after="1s")
    resumer = Provisioner(live.store, settings, lambda: connect(settings))
    try:
        assert resumer.resume_stale() == [operation_id]
        return resumer.wait(operation_id, 15), resumer
    finally:
        resumer.close()


def grant_op(account: str, arn: str) -> dict[str, Any]:
    """The PATCH operation that grants "permission set @ account" (its Entitlement id)."""
    return {"op": "add", "path": "entitlements", "value": [{"value": entitlement_id(account, arn)}]}


def new_user(user_name: str, given: str, family: str, **more: Any) -> dict[str, Any]:
    """A User as a client POSTs it, with what the Identity Store requires."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "displayName": f"{given} {family}",
        "name": {"givenName": given, "familyName": family},
        **more,
    }


def free_pair(live: Live, principal_type: str, principal_id: str) -> tuple[str, str]:
    """An (account, permission set ARN) the principal does not hold."""
    held = {
        (a, p)
        for a, p, t, i in live.manifest.expected_assignments()
        if (t, i) == (principal_type, principal_id)
    }
    for account in sorted(live.manifest.accounts.values()):
        for arn in sorted(live.manifest.permission_sets.values()):
            if (account, arn) not in held:
                return account, arn
    raise AssertionError("no free pair")


def free_pairs(live: Live, principal_id: str, count: int) -> list[tuple[str, str]]:
    held = {(a, p) for a, p, _, i in live.manifest.expected_assignments() if i == principal_id}
    pairs = [
        (account, arn)
        for account in sorted(live.manifest.accounts.values())
        for arn in sorted(live.manifest.permission_sets.values())
        if (account, arn) not in held
    ]
    return pairs[:count]


def free_application(live: Live, principal_type: str, principal_id: str) -> str:
    """The ARN of an application the principal is not assigned to."""
    held = {
        arn
        for arn, kind, principal in live.manifest.expected_application_assignments()
        if (kind, principal) == (principal_type, principal_id)
    }
    return next(arn for arn in sorted(live.manifest.applications.values()) if arn not in held)


def reconciling_sync(live: Live) -> int:
    """A reconciling full sync of the live store; how many served resources it found changed."""
    settings = simulator_settings(str(live.store.engine.url))
    run_sync(settings, live.store, connect(settings))
    latest = live.store.syncs(1)[0]
    return len(live.store.served_changes(latest.id))


def first_user(live: Live) -> str:
    return sorted(live.manifest.users.values())[0]
