"""The ledger over HTTP: `/Operations` and `/Operations/{id}`, and dry-run answers.

An operation document tells the whole story of one write: who asked, what,
each step with its AWS request id and outcome, every status change, and the
final answer. A request answered 202 Accepted points here (`Location`), and
the document stays after the operation ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from connector.intents import (
    AddMember,
    AssignmentIntent,
    CreateGroup,
    CreateUser,
    DeleteGroup,
    DeleteUser,
    Grant,
    Intent,
    RemoveMember,
    UpdateGroup,
    UpdateUser,
)
from connector.store.ledger import OperationRecord
from connector.writers.assignments import request_parameters

OPERATION_SCHEMA = "urn:identity-center-connector:scim:schemas:2.0:Operation"
DRY_RUN_SCHEMA = "urn:identity-center-connector:scim:api:messages:2.0:DryRun"


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def operation_document(record: OperationRecord, base_url: str) -> dict[str, Any]:
    error = (
        {"status": str(record.http_status), "scimType": record.error_type, "detail": record.error}
        if record.status == "failed"
        else None
    )
    return {
        "schemas": [OPERATION_SCHEMA],
        "id": record.id,
        "status": record.status,
        "method": record.method,
        "path": record.path,
        "resourceType": record.resource_type,
        "resourceId": record.resource_id,
        "requestedBy": record.token_name,
        "idempotencyKey": record.idempotency_key,
        "httpStatus": record.http_status,
        "error": error,
        "steps": [
            {
                "position": step.position + 1,
                "role": step.role,
                "action": step.intent.kind,
                "target": _target(step.intent),
                "status": step.status,
                "awsRequestId": step.aws_request_id,
                "createdId": step.created_id,
                "errorCode": step.error_code,
                "failureReason": step.failure_reason,
                "started": _time(step.started_at),
                "finished": _time(step.finished_at),
            }
            for step in record.steps
        ],
        "events": [
            {
                "at": _time(event.at),
                "step": event.position + 1 if event.position is not None else None,
                "status": event.status,
                "detail": event.detail,
            }
            for event in record.events
        ],
        "meta": {
            "resourceType": "Operation",
            "created": _time(record.created_at),
            "lastModified": _time(record.updated_at),
            "finished": _time(record.finished_at),
            "location": f"{base_url}/Operations/{record.id}",
        },
    }


def _target(intent: Intent) -> dict[str, Any]:
    """What a step changes, named as SCIM names attributes (camelCase)."""
    return {_camel(key): value for key, value in intent.to_json().items() if key != "kind"}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def aws_calls(intent: Intent, instance_arn: str, identity_store_id: str) -> list[dict[str, Any]]:
    """The AWS calls an intent makes when its target is not reached yet (dry run)."""
    match intent:
        case AssignmentIntent():
            name = (
                "CreateAccountAssignment"
                if isinstance(intent, Grant)
                else "DeleteAccountAssignment"
            )
            return [
                {
                    "service": "sso-admin",
                    "operation": name,
                    "parameters": request_parameters(instance_arn, intent),
                }
            ]
        case AddMember(group_id=group_id, user_id=user_id):
            return [
                _identity(
                    "CreateGroupMembership",
                    identity_store_id,
                    GroupId=group_id,
                    MemberId={"UserId": user_id},
                )
            ]
        case RemoveMember(group_id=group_id, user_id=user_id):
            return [
                _identity(
                    "DeleteGroupMembership",
                    identity_store_id,
                    MembershipId=f"(the membership of {user_id} in {group_id})",
                )
            ]
        case CreateUser(params=params):
            return [_identity("CreateUser", identity_store_id, **params)]
        case UpdateUser(user_id=user_id, operations=operations):
            return [
                _identity(
                    "UpdateUser", identity_store_id, UserId=user_id, Operations=list(operations)
                )
            ]
        case DeleteUser(user_id=user_id):
            return [_identity("DeleteUser", identity_store_id, UserId=user_id)]
        case CreateGroup(params=params):
            return [_identity("CreateGroup", identity_store_id, **params)]
        case UpdateGroup(group_id=group_id, operations=operations):
            return [
                _identity(
                    "UpdateGroup", identity_store_id, GroupId=group_id, Operations=list(operations)
                )
            ]
        case DeleteGroup(group_id=group_id):
            return [_identity("DeleteGroup", identity_store_id, GroupId=group_id)]
    raise AssertionError(f"no calls known for {intent!r}")


def _identity(name: str, identity_store_id: str, **parameters: Any) -> dict[str, Any]:
    return {
        "service": "identitystore",
        "operation": name,
        "parameters": {"IdentityStoreId": identity_store_id, **parameters},
    }


def dry_run_document(
    intents: Sequence[Intent], instance_arn: str, identity_store_id: str
) -> dict[str, Any]:
    return {
        "schemas": [DRY_RUN_SCHEMA],
        "dryRun": True,
        "detail": "nothing was changed; these are the calls the request would make, in order "
        "(a call whose target is already reached is skipped when the request runs)",
        "steps": [
            {
                "position": position,
                "action": intent.kind,
                "target": _target(intent),
                "calls": aws_calls(intent, instance_arn, identity_store_id),
            }
            for position, intent in enumerate(intents, start=1)
        ],
    }
