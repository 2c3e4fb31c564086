"""The write ledger over HTTP: `GET /Operations` and `GET /Operations/{id}`.

A write answered 202 Accepted points here (`Location`); the document tells the
whole story of the write and stays after it ends (`scim.writes.operations`).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from connector.store import ledger
from connector.store.store import Store
from connector.writers.registry import intent_from_json
from schemas.resources import dump_list_response
from scim.errors import ScimError
from scim.query import page, utc_datetime
from scim.responses import scim_response
from scim.served import base_url
from scim.writes.operations import operation_document

blueprint = Blueprint("operations", __name__)


@blueprint.get("/Operations")
def list_operations() -> Response:
    """Newest first; `status`, `principal`, `since`, `until`, and RFC 7644 paging."""
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
            intent_from_json,
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


@blueprint.get("/Operations/<operation_id>")
def get_operation(operation_id: str) -> Response:
    store: Store = current_app.extensions["idcc_store"]
    with store.reading() as connection:
        record = ledger.get(connection, operation_id, intent_from_json)
    if record is None:
        raise ScimError(404, f"no operation {operation_id}")
    return scim_response(operation_document(record, base_url()), 200)
