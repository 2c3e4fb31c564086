"""The write endpoints: POST, PUT, PATCH, DELETE on /Users and /Groups, and /Operations.

Each view only translates: HTTP -> plan (intents, checked against the served
snapshot) -> guardrails -> ledger + AWS (`connector.provisioning`) -> answer.
The answer follows RFC 7644 §3.3, §3.5 and §3.6 when AWS finishes within the
configured wait (201 / 200 with the resource, 204), and 202 Accepted with
`Location: /Operations/{id}` when it does not; a failure answers the SCIM
error the failed step gives, with AWS's reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request

from connector.errors import Failure
from connector.intents import Intent
from connector.provisioning.provisioner import Provisioner
from connector.provisioning.submitting import WriteRequest
from connector.store import ledger
from connector.store.store import Store
from schemas.resources import dump_list_response
from scim.auth import current_token, requires_write
from scim.errors import ScimError, failure_error
from scim.query import page, utc_datetime
from scim.request_store import release_request_connection, request_connection
from scim.responses import scim_response, served_snapshot_id
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
    plan_create,
    plan_delete,
    plan_patch,
    plan_replace,
    without_unsupported_operations,
)

log = logging.getLogger(__name__)

WRITABLE = {"Users": "User", "Groups": "Group"}

# (resource type, id, status, headers) -> the answer carrying the resource as served
Respond = Callable[[str, str, int, dict[str, str]], Response]
# (resource type, id, connection) -> the served document, or None
CurrentDocument = Callable[[str, str, sa.Connection], dict[str, Any] | None]


def install_writes(
    api: Blueprint,
    *,
    base_url: Callable[[], str],
    current_document: CurrentDocument,
    respond: Respond,
) -> None:
    """Register the write views on the API blueprint.

    `current_document(resource_type, id, connection)` gives the served document
    (or None), `respond(resource_type, id, status, extra_headers)` the answer
    carrying a resource as it is served now; both come from the read side so
    that a write answers exactly what a read would show.
    """

    def write(path: str, resource_id: str | None) -> Response:
        resource_type = WRITABLE[path]
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
                record = provisioner.wait(earlier, settings.write_wait)
                return _answer(record, resource_type, base_url(), respond)
        connection = request_connection()
        catalogue = Catalogue(connection, served_snapshot_id(connection))
        current = None
        if resource_id is not None:
            current = current_document(resource_type, resource_id, connection)
            if current is None:
                raise ScimError(404, f"{resource_type} {resource_id} not found")
            _check_if_match(current)
        intents = _plan(resource_type, method, body, current, catalogue)
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
        record = provisioner.wait(operation_id, settings.write_wait)
        return _answer(record, resource_type, base_url(), respond)

    def create(path: str) -> Response:
        return write(path, None)

    for path in WRITABLE:
        api.add_url_rule(
            f"/{path}",
            f"create_{path}",
            requires_write(lambda path=path: create(path)),
            methods=["POST"],
        )
        api.add_url_rule(
            f"/{path}/<resource_id>",
            f"write_{path}",
            requires_write(lambda resource_id, path=path: write(path, resource_id)),
            methods=["PUT", "PATCH", "DELETE"],
        )

    def list_operations() -> Response:
        store: Store = current_app.extensions["idcc_store"]
        args = request.args
        start, count = page({key.lower(): value for key, value in args.items()})
        try:
            since = utc_datetime(args["since"]) if args.get("since") else None
            until = utc_datetime(args["until"]) if args.get("until") else None
        except ValueError as exc:
            raise ScimError(400, f"invalid query: {exc}", scim_type="invalidValue") from None
        with store.reading() as connection:
            total, records = ledger.list_operations(
                connection,
                status=args.get("status"),
                principal_id=args.get("principal"),
                since=since,
                until=until,
                offset=start - 1,
                limit=count,
            )
        return scim_response(
            dump_list_response(
                [operation_document(r, base_url()) for r in records],
                total_results=total,
                start_index=start,
            )
        )

    def get_operation(operation_id: str) -> Response:
        store: Store = current_app.extensions["idcc_store"]
        with store.reading() as connection:
            record = ledger.get(connection, operation_id)
        if record is None:
            raise ScimError(404, f"no operation {operation_id}")
        return scim_response(operation_document(record, base_url()), 200)

    api.add_url_rule("/Operations", "list_operations", list_operations, methods=["GET"])
    api.add_url_rule("/Operations/<operation_id>", "get_operation", get_operation, methods=["GET"])


def _answer(
    record: ledger.OperationRecord, resource_type: str, base: str, respond: Respond
) -> Response:
    location = f"{base}/Operations/{record.id}"
    if not record.finished:
        response = scim_response(operation_document(record, base), 202)
        response.headers["Location"] = location
        return response
    if record.status == "failed":
        raise failure_error(
            record.failure or Failure.AWS_FAILED,
            f"{record.error} (operation {location})",
            headers={"X-Operation": location},
        )
    status = answer_status(record) or 200
    if status == 204:
        return Response(status=204, headers={"X-Operation": location})
    assert record.resource_id is not None
    return respond(resource_type, record.resource_id, status, {"X-Operation": location})


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
    return plan_delete(resource_type, current, catalogue, cleanup=settings.delete_cleanup)


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
