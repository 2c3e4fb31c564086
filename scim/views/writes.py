"""The write endpoints: POST, PUT, PATCH and DELETE on the writable types.

Each view only translates: HTTP -> the served document (`scim.served`) ->
plan (intents, `scim.writes.plan`) -> `connector.provisioning` (idempotency,
guardrails, ledger, AWS) -> answer. The answer follows RFC 7644 §3.3, §3.5 and
§3.6 when AWS finishes within the configured wait (201 / 200 with the
resource, 204), and 202 Accepted with `Location: /Operations/{id}` when it
does not; a failure answers the SCIM error its failure maps to
(`scim.errors.FAILURE_ANSWERS`), with AWS's reason. The types that are not
writable answer 405 to every write method.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from flask import Blueprint, Response, current_app, request

from connector.errors import Failure
from connector.intents import Intent
from connector.provisioning.provisioner import Provisioner
from connector.provisioning.submitting import WriteRequest
from connector.store.ledger import OperationRecord
from scim.auth import current_token, requires_write
from scim.errors import ScimError, failure_error
from scim.request_store import release_request_connection, request_connection
from scim.resources.registry import ENDPOINTS
from scim.responses import scim_response, served_snapshot_id
from scim.served import base_url, current_document, respond_with
from scim.writes.identity_input import without_unsupported
from scim.writes.operations import (
    ACTION_OF_METHOD,
    answer_status,
    dry_run_document,
    operation_document,
)
from scim.writes.patch import load_patch
from scim.writes.plan import (
    Catalogue,
    conditional,
    plan_create,
    plan_delete,
    plan_patch,
    plan_replace,
    without_unsupported_operations,
)

log = logging.getLogger(__name__)

blueprint = Blueprint("writes", __name__)


@requires_write
def create(type_name: str) -> Response:
    return _write(type_name, None)


@requires_write
def change(type_name: str, resource_id: str) -> Response:
    return _write(type_name, resource_id)


@requires_write
def read_only(type_name: str, resource_id: str | None = None) -> Response:
    raise ScimError(405, f"{type_name} resources are read-only: they follow from AWS")


for _endpoint in ENDPOINTS:
    _path, _type = f"/{_endpoint.path}", {"type_name": _endpoint.name}
    blueprint.add_url_rule(
        _path,
        f"create_{_endpoint.name}",
        create if _endpoint.writable else read_only,
        methods=["POST"],
        defaults=_type,
    )
    blueprint.add_url_rule(
        f"{_path}/<resource_id>",
        f"write_{_endpoint.name}",
        change if _endpoint.writable else read_only,
        methods=["PUT", "PATCH", "DELETE"],
        defaults=_type,
    )


def _write(resource_type: str, resource_id: str | None) -> Response:
    provisioner: Provisioner = current_app.extensions["idcc_provisioner"]
    settings = current_app.config["IDCC_SETTINGS"]
    method = request.method
    body = _body() if method in ("POST", "PUT", "PATCH") else None
    request_hash = _request_hash(method, request.path, body)
    key = _idempotency_key()
    dry_run = _dry_run()
    if key is not None and not dry_run:
        earlier = provisioner.earlier(current_token().name, key, request_hash)
        if earlier is not None:
            return _answer(provisioner.wait(earlier, settings.write_wait), resource_type)
    connection = request_connection()
    catalogue = Catalogue(connection, served_snapshot_id(connection))
    current = None
    if resource_id is not None:
        current = current_document(resource_type, resource_id, connection)
        if current is None:
            raise ScimError(404, f"{resource_type} {resource_id} not found")
        _check_if_match(current)
    intents = _plan(resource_type, method, body, current, catalogue)
    if resource_id is not None:
        intents = conditional(
            intents,
            resource_id,
            catalogue.revision(resource_type, resource_id),
            strict=request.headers.get("If-Match", "*").strip() != "*",
        )
    # Guardrails and AWS may take a while: the store is not held meanwhile.
    release_request_connection()
    if dry_run:
        return scim_response(dry_run_document(provisioner.dry_run(intents)), 200)
    operation_id, _replayed = provisioner.submit(
        WriteRequest(
            token_name=current_token().name,
            action=ACTION_OF_METHOD[method],
            resource_type=resource_type,
            resource_id=resource_id,
            intents=tuple(intents),
            request_hash=request_hash,
            idempotency_key=key,
        )
    )
    return _answer(provisioner.wait(operation_id, settings.write_wait), resource_type)


def _answer(record: OperationRecord, resource_type: str) -> Response:
    """RFC 7644 §3.3, §3.5, §3.6 once the write ended; 202 with `Location` before.

    Every answer to a recorded write names its operation in `X-Operation`, the
    same absolute URL as the operation's `meta.location` (and a 202's
    `Location`): one form for every link the service answers, which a client
    can follow as it is, whatever path a proxy serves the service under.
    A refusal before the write is recorded (bad input, an unknown resource, a
    stale If-Match, a guardrail) has no operation to name.
    """
    base = base_url()
    location = f"{base}/Operations/{record.id}"
    named = {"X-Operation": location}
    if not record.finished:
        return scim_response(operation_document(record, base), 202, {**named, "Location": location})
    if record.status == "failed":
        raise failure_error(
            record.failure or Failure.AWS_FAILED,
            f"{record.error} (operation {location})",
            headers=named,
        )
    status = answer_status(record) or 200
    if status == 204:
        return Response(status=204, headers=named)
    assert record.resource_id is not None
    return respond_with(resource_type, record.resource_id, status, named)


def _plan(
    resource_type: str,
    method: str,
    body: dict[str, Any] | None,
    current: dict[str, Any] | None,
    catalogue: Catalogue,
) -> list[Intent]:
    settings = current_app.config["IDCC_SETTINGS"]
    ignore = settings.unsupported_attributes == "ignore"
    dropped: list[str] = []
    if body is not None and method in ("POST", "PUT") and ignore:
        body, dropped = without_unsupported(resource_type, body)
    operations = load_patch(body) if method == "PATCH" else []
    if operations and ignore:
        operations, dropped = without_unsupported_operations(resource_type, operations)
    if dropped:
        log.warning(
            "attributes the Identity Store cannot hold were left out of a write",
            extra={"attributes": sorted(set(dropped)), "resource_type": resource_type},
        )
    if method == "POST":
        assert body is not None
        return plan_create(resource_type, body, catalogue)
    assert current is not None
    if method == "PUT":
        assert body is not None
        return plan_replace(resource_type, current, body, catalogue)
    if method == "PATCH":
        return plan_patch(resource_type, current, operations, catalogue)
    return plan_delete(
        resource_type,
        current,
        catalogue,
        cleanup=settings.delete_cleanup,
        disable_users=settings.user_delete == "disable",
    )


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ScimError(400, "the body must be a JSON object", scim_type="invalidSyntax")
    return body


def _check_if_match(current: dict[str, Any]) -> None:
    """RFC 7644 §3.14: a write with If-Match applies only to the version named."""
    wanted = request.headers.get("If-Match")
    if not wanted or wanted.strip() == "*":
        return
    version = (current.get("meta") or {}).get("version")
    if version not in {tag.strip() for tag in wanted.split(",")}:
        raise ScimError(412, f"the resource has changed: its version is {version}", scim_type=None)


def _dry_run() -> bool:
    return request.headers.get("X-Dry-Run", "").strip().lower() in ("true", "1", "yes")


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255:
        raise ScimError(
            400, "Idempotency-Key must be 1 to 255 characters", scim_type="invalidValue"
        )
    return key


def _request_hash(method: str, path: str, body: Any) -> str:
    text = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
