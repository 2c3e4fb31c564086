"""Migration 0003: operations recorded with HTTP methods and statuses keep their
meaning as actions and failures, and are answered as they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from connector.errors import Failure
from connector.store import ledger, tables
from connector.store.engine import create_engine, migrate
from connector.writers.registry import intent_from_json
from scim.writes.operations import answer_status, operation_document, request_path

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _operation(operation_id: str, method: str, path: str, status: str, **more: object) -> dict:
    return {
        "id": operation_id,
        "created_at": NOW,
        "updated_at": NOW,
        "token_name": "iga",
        "method": method,
        "path": path,
        "resource_type": "User",
        "resource_id": path.rsplit("/", 1)[-1] if path.count("/") > 1 else "u-new",
        "request_hash": operation_id,
        "status": status,
        "heartbeat_at": NOW,
        "http_status": None,
        "error_type": None,
        **more,
    }


def test_recorded_operations_keep_their_answers_after_the_upgrade(store_url: str) -> None:
    engine = create_engine(store_url)
    migrate(engine, "0002")
    recorded = [
        _operation("a", "POST", "/Users", "succeeded", http_status=201),
        _operation("b", "PATCH", "/Users/u1", "failed", http_status=409, error_type="uniqueness"),
        _operation("c", "PATCH", "/Users/u2", "failed", http_status=409),
        _operation("d", "PUT", "/Users/u3", "failed", http_status=400, error_type="invalidValue"),
        _operation("e", "DELETE", "/Users/u4", "failed", http_status=502),
        _operation("f", "DELETE", "/Users/u5", "succeeded", http_status=204),
    ]
    with engine.begin() as connection:
        connection.execute(
            sa.table("write_operations", *map(sa.column, recorded[1])).insert(), recorded
        )
        connection.execute(
            sa.text(
                "INSERT INTO write_steps (operation_id, position, role, kind, intent, lock_key, "
                "status, error_code) VALUES ('b', 0, 'do', 'update_user', :intent, 'user|u1', "
                "'failed', 'ConflictException')"
            ),
            {"intent": '{"kind": "update_user", "user_id": "u1"}'},
        )
    migrate(engine)
    with engine.connect() as connection:
        found = {r.id: r for r in ledger.list_operations(connection, intent_from_json)[1]}
    engine.dispose()

    assert {i: (r.action, r.failure) for i, r in found.items()} == {
        "a": ("create", None),
        "b": ("modify", Failure.CONFLICT),
        "c": ("modify", Failure.WRITE_CONFLICT),
        "d": ("replace", Failure.INVALID_INPUT),
        "e": ("delete", Failure.AWS_FAILED),
        "f": ("delete", None),
    }
    assert {i: answer_status(r) for i, r in found.items()} == {
        "a": 201,
        "b": 409,
        "c": 409,
        "d": 400,
        "e": 502,
        "f": 204,
    }
    assert [request_path(found[i]) for i in "ab"] == ["/Users", "/Users/u1"]
    assert found["b"].steps[0].failure == Failure.CONFLICT
    document = operation_document(found["b"], "http://x/scim/v2")
    assert (document["method"], document["error"]["scimType"]) == ("PATCH", "uniqueness")


def test_the_connectors_earlier_grants_and_memberships_get_their_provenance(
    store_url: str,
) -> None:
    """Migration 0005: succeeded grant and membership steps become provenance; failed
    steps and other kinds do not."""
    engine = create_engine(store_url)
    migrate(engine, "0004")
    grant = {
        "kind": "grant",
        "account_id": "111122223333",
        "permission_set_arn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1",
        "principal_type": "USER",
        "principal_id": "u1",
    }
    member = {"kind": "add_member", "group_id": "g1", "user_id": "u1"}
    _record_steps(
        engine,
        [
            _step("g", grant, "succeeded"),
            _step("m", member, "succeeded"),
            _step("x", {**grant, "principal_id": "u2"}, "failed"),
        ],
    )
    migrate(engine)
    with engine.connect() as connection:
        assignments = connection.execute(sa.text("SELECT * FROM assignment_provenance")).all()
        memberships = connection.execute(sa.text("SELECT * FROM membership_provenance")).all()
    engine.dispose()

    assert [(r.principal_id, r.granted_by, r.operation_id) for r in assignments] == [
        ("u1", "iga", "g")
    ]
    assert [(r.group_id, r.user_id, r.operation_id) for r in memberships] == [("g1", "u1", "m")]


def _record_steps(engine: sa.Engine, steps: list[dict[str, object]]) -> None:
    """Record each step in an operation of its own, in the ledger as 0004 leaves it."""
    operations = [
        {
            **_operation(str(step["operation_id"]), "PATCH", "/Users/u1", "succeeded"),
            "action": "modify",
            "failure": None,
        }
        for step in steps
    ]
    for operation in operations:
        for gone in ("method", "path", "http_status", "error_type"):
            operation.pop(gone)
    written = sa.table(
        "write_steps",
        *map(sa.column, ("operation_id", "position", "role", "kind", "lock_key", "status")),
        sa.column("intent", sa.JSON),
        sa.column("finished_at", tables.TZ),
    )
    with engine.begin() as connection:
        connection.execute(
            sa.table("write_operations", *map(sa.column, operations[0])).insert(), operations
        )
        connection.execute(written.insert(), steps)


def _step(operation_id: str, intent: dict[str, str], status: str) -> dict[str, object]:
    return {
        "operation_id": operation_id,
        "position": 0,
        "role": "do",
        "kind": intent["kind"],
        "lock_key": operation_id,
        "status": status,
        "intent": intent,
        "finished_at": NOW,
    }


def test_the_connectors_earlier_application_grants_get_their_provenance(store_url: str) -> None:
    """Migration 0015: a succeeded grant_application step becomes provenance unless a
    later revoke of the connector's undid it; failed steps and other kinds do not."""
    engine = create_engine(store_url)
    migrate(engine, "0013")
    payroll = "arn:aws:sso::111122223333:application/ssoins-1/apl-payroll"
    wiki = "arn:aws:sso::111122223333:application/ssoins-1/apl-wiki"
    granted = {
        "kind": "grant_application",
        "application_arn": payroll,
        "principal_type": "USER",
        "principal_id": "u1",
    }
    revoked_later = {**granted, "application_arn": wiki}
    _record_steps(
        engine,
        [
            _step("g", granted, "succeeded"),
            _step("w", revoked_later, "succeeded"),
            {
                **_step("r", {**revoked_later, "kind": "revoke_application"}, "succeeded"),
                "finished_at": NOW + timedelta(minutes=1),
            },
            _step("x", {**granted, "principal_id": "u2"}, "failed"),
            _step(
                "a", {**granted, "kind": "revoke_application", "principal_id": "u3"}, "succeeded"
            ),
        ],
    )
    migrate(engine)
    with engine.connect() as connection:
        kept = connection.execute(sa.select(tables.application_assignment_provenance)).all()
    engine.dispose()

    assert [tuple(row) for row in kept] == [(payroll, "USER", "u1", NOW, "iga", "g")]
