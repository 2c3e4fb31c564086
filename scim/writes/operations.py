"""The ledger over HTTP: `/Operations` and `/Operations/{id}`, and dry-run answers.

An operation document tells the whole story of one write: who asked, what,
each step with its AWS request id and outcome, every status change, and the
final answer. A request answered 202 Accepted points here (`Location`), and
the document stays after the operation ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connector.intents import AwsCall, Intent
from connector.store.ledger import OperationRecord
from connector.timestamps import rfc3339
from scim.errors import FAILURE_ANSWERS
from scim.resources.registry import BY_NAME

OPERATION_SCHEMA = "urn:identity-center-connector:scim:schemas:2.0:Operation"
DRY_RUN_SCHEMA = "urn:identity-center-connector:scim:api:messages:2.0:DryRun"


# Each action a write does: its method, and its answer on success (RFC 7644:
# 201 for a creation, §3.3; 204 for a deletion, §3.6; else 200).
ACTIONS = {
    "create": ("POST", 201),
    "replace": ("PUT", 200),
    "modify": ("PATCH", 200),
    "delete": ("DELETE", 204),
}
ACTION_OF_METHOD = {method: action for action, (method, _) in ACTIONS.items()}


def answer_status(record: OperationRecord) -> int | None:
    """The status the write answers: its success's, its failure's, or None while open."""
    if record.status == "succeeded":
        return ACTIONS[record.action][1]
    if record.status == "failed" and record.failure is not None:
        return FAILURE_ANSWERS[record.failure][0]
    return None


def request_path(record: OperationRecord) -> str:
    """The path the write was sent to, below the SCIM base."""
    path = f"/{BY_NAME[record.resource_type].path}"
    return path if record.action == "create" else f"{path}/{record.resource_id}"


def operation_document(record: OperationRecord, base_url: str) -> dict[str, Any]:
    error = (
        {
            "status": str(answer_status(record)),
            "scimType": FAILURE_ANSWERS[record.failure][1] if record.failure else None,
            "detail": record.error,
        }
        if record.status == "failed"
        else None
    )
    return {
        "schemas": [OPERATION_SCHEMA],
        "id": record.id,
        "status": record.status,
        "method": ACTIONS[record.action][0],
        "path": request_path(record),
        "resourceType": record.resource_type,
        "resourceId": record.resource_id,
        "requestedBy": record.token_name,
        "idempotencyKey": record.idempotency_key,
        "httpStatus": answer_status(record),
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
                "started": rfc3339(step.started_at),
                "finished": rfc3339(step.finished_at),
            }
            for step in record.steps
        ],
        "events": [
            {
                "at": rfc3339(event.at),
                "step": event.position + 1 if event.position is not None else None,
                "status": event.status,
                "detail": event.detail,
            }
            for event in record.events
        ],
        "meta": {
            "resourceType": "Operation",
            "created": rfc3339(record.created_at),
            "lastModified": rfc3339(record.updated_at),
            "finished": rfc3339(record.finished_at),
            "location": f"{base_url}/Operations/{record.id}",
        },
    }


def _target(intent: Intent) -> dict[str, Any]:
    """What a step changes, named as SCIM names attributes (camelCase)."""
    return {_camel(key): value for key, value in intent.to_json().items() if key != "kind"}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def dry_run_document(steps: Sequence[tuple[Intent, Sequence[AwsCall]]]) -> dict[str, Any]:
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
                "calls": [call.to_json() for call in calls],
            }
            for position, (intent, calls) in enumerate(steps, start=1)
        ],
    }
