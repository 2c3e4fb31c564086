"""Reading served resources (RFC 7644 §3.4): list, .search and get, for every type
in `scim.resources.registry`, from the store; nothing here calls AWS.

Parameters -> `ListQuery` -> SQL ids (`scim.listing`) -> documents
(`scim.served`) -> response. A get answers the resource's version as its
ETag, and 304 to an If-None-Match that names it (RFC 7644 §3.14).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, json, request
from marshmallow import ValidationError

from schemas.resources import dump_list_response, load_search_request
from scim.errors import SCIM_MEDIA_TYPE, ScimError
from scim.listing import select_ids
from scim.query import ListQuery, list_query
from scim.request_store import request_connection
from scim.resources.registry import BY_NAME, ENDPOINTS
from scim.responses import served_snapshot_id
from scim.served import documents_json, version

blueprint = Blueprint("resources", __name__)


def list_resources(type_name: str) -> Response:
    return _list(type_name, list_query(request.args))


def search_resources(type_name: str) -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ScimError(400, "the body must be a SearchRequest object", scim_type="invalidSyntax")
    try:
        search = load_search_request(body)
    except ValidationError as exc:
        raise ScimError(
            400, f"invalid SearchRequest: {exc.messages}", scim_type="invalidValue"
        ) from None
    return _list(type_name, list_query(search))


def get_resource(type_name: str, resource_id: str) -> Response:
    endpoint = BY_NAME[type_name]
    query = list_query(request.args)
    connection = request_connection()
    snapshot_id = served_snapshot_id(connection)
    texts = documents_json(connection, snapshot_id, endpoint, [resource_id], query)
    if not texts:
        raise ScimError(404, f"{type_name} {resource_id} not found")
    found = version(connection, endpoint, resource_id)
    if found and found in _etags(request.headers.get("If-None-Match")):
        return Response(status=304, headers={"ETag": found})
    response = current_app.response_class(texts[0], mimetype=SCIM_MEDIA_TYPE)
    if found:
        response.headers["ETag"] = found
    return response


for _endpoint in ENDPOINTS:
    _path, _type = f"/{_endpoint.path}", {"type_name": _endpoint.name}
    blueprint.add_url_rule(
        _path, f"list_{_endpoint.name}", list_resources, methods=["GET"], defaults=_type
    )
    blueprint.add_url_rule(
        f"{_path}/.search",
        f"search_{_endpoint.name}",
        search_resources,
        methods=["POST"],
        defaults=_type,
    )
    blueprint.add_url_rule(
        f"{_path}/<resource_id>",
        f"get_{_endpoint.name}",
        get_resource,
        methods=["GET"],
        defaults=_type,
    )


def _etags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {tag.strip() for tag in header.split(",")} | ({"*"} if header.strip() == "*" else set())


def _list(type_name: str, query: ListQuery) -> Response:
    endpoint = BY_NAME[type_name]
    connection = request_connection()
    snapshot_id = served_snapshot_id(connection)
    total, ids = select_ids(connection, endpoint.sql, snapshot_id, query)
    texts = documents_json(connection, snapshot_id, endpoint, ids, query)
    head = json.dumps(
        dump_list_response(
            [], total_results=total, start_index=query.start_index, items_per_page=len(texts)
        ),
        ensure_ascii=False,
    )
    # The resources are JSON already: spliced into the (empty) Resources array
    # that ends the message, rather than parsed and written again.
    assert head.endswith("[]}"), head
    body = head[: -len("[]}")] + "[" + ",".join(texts) + "]}"
    return current_app.response_class(body, mimetype=SCIM_MEDIA_TYPE)
