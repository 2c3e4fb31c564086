"""The SCIM read endpoints under /scim/v2 (RFC 7644 §3.4), served from the store.

Views translate HTTP to calls and back: parameters -> `ListQuery` -> SQL ids
(`scim.listing`) -> documents (`scim.resources.*`) -> projection ->
marshmallow dump -> response. Nothing here calls AWS.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, json, request
from marshmallow import ValidationError

from connector.store import reads
from connector.store import rendered as rendered_documents
from schemas import definitions
from schemas.resources import dump_list_response, dump_resource, load_search_request
from scim.auth import requires_write
from scim.errors import SCIM_MEDIA_TYPE, ScimError
from scim.input_checks import install_input_checks
from scim.listing import select_ids
from scim.projection import project, request_only_paths, requested_paths
from scim.query import MAX_COUNT, ListQuery, list_query
from scim.request_store import request_connection
from scim.resources.common import BASE_PLACEHOLDER, etag
from scim.resources.endpoint import Endpoint
from scim.resources.registry import BY_NAME, ENDPOINTS
from scim.responses import scim_response, served_snapshot_id
from scim.writes.views import install_writes

BASE_PATH = "/scim/v2"


def base_url() -> str:
    """The base of every link the service answers (`$ref`, `meta.location`, `Location`).

    IDCC_PUBLIC_URL, or else the address the server listens on, never the
    request's Host header: any client sets that, and links built from it
    would send other clients (and caches) to a host of the sender's choosing.
    """
    public_url: str | None = current_app.config["IDCC_SETTINGS"].public_url
    return (public_url or _listening_url(request.environ)) + BASE_PATH


def _listening_url(environ: dict[str, Any]) -> str:
    """The server's own address, as the WSGI server reports it (PEP 3333)."""
    scheme, host, port = environ["wsgi.url_scheme"], environ["SERVER_NAME"], environ["SERVER_PORT"]
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address (RFC 3986 §3.2.2)
    default = {"http": "80", "https": "443"}.get(scheme)
    return f"{scheme}://{host}" + ("" if str(port) == default else f":{port}")


def build_blueprint() -> Blueprint:
    api = Blueprint("scim", __name__, url_prefix=BASE_PATH)
    install_input_checks(api)
    for endpoint in ENDPOINTS:
        _register(api, endpoint)
    install_writes(
        api, base_url=base_url, current_document=_current_document, respond=_respond_with
    )
    _register_discovery(api)
    return api


def _current_document(
    resource_type: str, resource_id: str, connection: sa.Connection
) -> dict[str, Any] | None:
    """The resource as served now (before a write), for planning the write."""
    snapshot_id = served_snapshot_id(connection)
    endpoint = BY_NAME[resource_type]
    found = endpoint.documents(connection, snapshot_id, [resource_id], base_url(), frozenset())
    return found[0] if found else None


def _respond_with(
    resource_type: str, resource_id: str, status: int, headers: dict[str, str]
) -> Response:
    """The resource as served after a write, read in a fresh transaction."""
    store = current_app.extensions["idcc_store"]
    endpoint = BY_NAME[resource_type]
    with store.reading() as connection:
        snapshot_id = served_snapshot_id(connection)
        texts = _documents_json(
            connection, snapshot_id, endpoint, [resource_id], list_query(request.args)
        )
        version = _version(connection, snapshot_id, endpoint, resource_id)
    if not texts:
        raise ScimError(404, f"{resource_type} {resource_id} not found")
    response = current_app.response_class(texts[0], status=status, mimetype=SCIM_MEDIA_TYPE)
    response.headers.update(headers)
    if version:
        response.headers["ETag"] = version
    if status == 201:
        response.headers["Location"] = f"{base_url()}/{endpoint.path}/{resource_id}"
    return response


def _register(api: Blueprint, endpoint: Endpoint) -> None:
    name = endpoint.name

    def list_view() -> Response:
        return _list(endpoint, list_query(request.args))

    def search_view() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ScimError(
                400, "the body must be a SearchRequest object", scim_type="invalidSyntax"
            )
        try:
            search = load_search_request(body)
        except ValidationError as exc:
            raise ScimError(
                400, f"invalid SearchRequest: {exc.messages}", scim_type="invalidValue"
            ) from None
        return _list(endpoint, list_query(search))

    def get_view(resource_id: str) -> Response:
        query = list_query(request.args)
        connection = request_connection()
        snapshot_id = served_snapshot_id(connection)
        texts = _documents_json(connection, snapshot_id, endpoint, [resource_id], query)
        if not texts:
            raise ScimError(404, f"{name} {resource_id} not found")
        # The version is the whole resource's, whatever attributes were asked for.
        version = _version(connection, snapshot_id, endpoint, resource_id)
        if version and version in _etags(request.headers.get("If-None-Match")):
            return Response(status=304, headers={"ETag": version})
        response = current_app.response_class(texts[0], mimetype=SCIM_MEDIA_TYPE)
        if version:
            response.headers["ETag"] = version
        return response

    if not endpoint.writable:

        @requires_write
        def read_only_view(resource_id: str | None = None) -> Response:
            raise ScimError(405, f"{name} resources are read-only: they follow from AWS")

        api.add_url_rule(f"/{endpoint.path}", f"create_{name}", read_only_view, methods=["POST"])
        api.add_url_rule(
            f"/{endpoint.path}/<resource_id>",
            f"write_{name}",
            read_only_view,
            methods=["PUT", "PATCH", "DELETE"],
        )
    api.add_url_rule(f"/{endpoint.path}", f"list_{name}", list_view, methods=["GET"])
    api.add_url_rule(f"/{endpoint.path}/.search", f"search_{name}", search_view, methods=["POST"])
    api.add_url_rule(f"/{endpoint.path}/<resource_id>", f"get_{name}", get_view, methods=["GET"])


def _etags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {tag.strip() for tag in header.split(",")} | ({"*"} if header.strip() == "*" else set())


def _list(endpoint: Endpoint, query: ListQuery) -> Response:
    connection = request_connection()
    snapshot_id = served_snapshot_id(connection)
    total, ids = select_ids(connection, endpoint.sql, snapshot_id, query)
    texts = _documents_json(connection, snapshot_id, endpoint, ids, query)
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


def _documents_json(
    connection: sa.Connection,
    snapshot_id: int,
    endpoint: Endpoint,
    ids: Sequence[str],
    query: ListQuery,
) -> list[str]:
    """Each id's served document as JSON text, in order.

    Rendered documents (scim.rendering) are used where the snapshot has them
    and the request needs nothing they leave out (attributes returned only on
    request); the others are built now, the same way.
    """
    if not ids:
        return []
    requested = _requested(endpoint, query)
    name = endpoint.name
    rendered: dict[str, str] = {}
    if not requested & set(request_only_paths(name)):
        rendered = rendered_documents.fetch(connection, snapshot_id, name, ids)
    missing = [i for i in ids if i not in rendered]
    built = {
        document["id"]: document
        for document in (
            endpoint.documents(connection, snapshot_id, missing, base_url(), requested)
            if missing
            else []
        )
    }
    base = json.dumps(base_url())[1:-1]
    plain = not query.attributes and not query.excluded_attributes
    texts = []
    for resource_id in ids:
        if resource_id in rendered:
            text = rendered[resource_id].replace(BASE_PLACEHOLDER, base)
            texts.append(text if plain else _json(_project(endpoint, json.loads(text), query)))
        elif resource_id in built:
            texts.append(_json(dump_document(endpoint, built[resource_id], query)))
    return texts


def _version(
    connection: sa.Connection, snapshot_id: int, endpoint: Endpoint, resource_id: str
) -> str | None:
    found = reads.versions(connection, endpoint.name, [resource_id]).get(resource_id)
    return etag(found)


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False)


def _requested(endpoint: Endpoint, query: ListQuery) -> frozenset[tuple[str, ...]]:
    return requested_paths(endpoint.name, endpoint.core_schema, query.attributes)


def dump_document(endpoint: Endpoint, document: dict[str, Any], query: ListQuery) -> dict[str, Any]:
    return _project(endpoint, dump_resource(endpoint.name, document), query)


def _project(endpoint: Endpoint, dumped: dict[str, Any], query: ListQuery) -> dict[str, Any]:
    return project(
        dumped,
        endpoint.name,
        endpoint.core_schema,
        query.attributes,
        query.excluded_attributes,
    )


# -- discovery (RFC 7644 §4, RFC 7643 §5-7) --------------------------------------------


def _register_discovery(api: Blueprint) -> None:
    def service_provider_config() -> Response:
        return scim_response(
            definitions.service_provider_config(
                max_results=MAX_COUNT,
                documentation_uri=None,
                location=f"{base_url()}/ServiceProviderConfig",
            )
        )

    def resource_types() -> Response:
        found = [_resource_type(r) for r in definitions.RESOURCE_TYPES.values()]
        return scim_response(_listing(found))

    def resource_type(name: str) -> Response:
        found = definitions.find_resource_type(name)
        if found is None:
            raise ScimError(404, f"no resource type {name}")
        return scim_response(_resource_type(found))

    def schemas_view() -> Response:
        return scim_response(_listing([_schema(s) for s in definitions.SCHEMAS.values()]))

    def schema_view(urn: str) -> Response:
        found = definitions.find_schema(urn)
        if found is None:
            raise ScimError(404, f"no schema {urn}")
        return scim_response(_schema(found))

    api.add_url_rule("/ServiceProviderConfig", "service_provider_config", service_provider_config)
    api.add_url_rule("/ResourceTypes", "resource_types", resource_types)
    api.add_url_rule("/ResourceTypes/<name>", "resource_type", resource_type)
    api.add_url_rule("/Schemas", "schemas", schemas_view)
    api.add_url_rule("/Schemas/<path:urn>", "schema", schema_view)


def _listing(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return dump_list_response(resources, total_results=len(resources))


def _resource_type(definition: Any) -> dict[str, Any]:
    document: dict[str, Any] = definition.to_scim(
        location=f"{base_url()}/ResourceTypes/{definition.id}"
    )
    return document


def _schema(definition: Any) -> dict[str, Any]:
    document: dict[str, Any] = definition.to_scim(location=f"{base_url()}/Schemas/{definition.id}")
    return document
