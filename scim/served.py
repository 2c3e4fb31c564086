"""The served documents, as a read answers them and as a write plans against them.

One module for both sides: a write plans against exactly the document a read
shows (`current_document`) and answers the resource exactly as a read would
show it afterwards (`respond_with`). Documents rendered after a sync
(`scim.rendering`) are used where the request needs nothing they leave out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, json, request

from connector.store import reads
from connector.store import rendered as rendered_documents
from schemas.resources import dump_resource
from scim.errors import SCIM_MEDIA_TYPE, ScimError
from scim.projection import project, request_only_paths, requested_paths
from scim.query import ListQuery, list_query
from scim.resources.common import BASE_PLACEHOLDER, etag
from scim.resources.endpoint import Endpoint
from scim.resources.registry import BY_NAME
from scim.responses import served_snapshot_id

BASE_PATH = "/scim/v2"


def base_url() -> str:
    """The base of every link the service answers (`$ref`, `meta.location`, `Location`).

    IDCC_PUBLIC_URL; or else, behind proxies the operator trusts
    (IDCC_TRUSTED_PROXIES), the scheme, host and path prefix they forwarded
    (`scim.app`); or else the address the server listens on. Never the
    Host header of a request that came past no trusted proxy: any client
    sets that, and links built from it would send other clients (and caches)
    to a host of the sender's choosing.
    """
    settings = current_app.config["IDCC_SETTINGS"]
    if settings.public_url:
        return f"{settings.public_url}{BASE_PATH}"
    if settings.trusted_proxies:
        return f"{request.root_url.rstrip('/')}{BASE_PATH}"
    return f"{_listening_url(request.environ)}{BASE_PATH}"


def _listening_url(environ: dict[str, Any]) -> str:
    """The server's own address, as the WSGI server reports it (PEP 3333)."""
    scheme, host, port = environ["wsgi.url_scheme"], environ["SERVER_NAME"], environ["SERVER_PORT"]
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address (RFC 3986 §3.2.2)
    default = {"http": "80", "https": "443"}.get(scheme)
    return f"{scheme}://{host}" + ("" if str(port) == default else f":{port}")


def current_document(
    resource_type: str, resource_id: str, connection: sa.Connection
) -> dict[str, Any] | None:
    """The resource as served now (before a write), for planning the write."""
    snapshot_id = served_snapshot_id(connection)
    endpoint = BY_NAME[resource_type]
    found = endpoint.documents(connection, snapshot_id, [resource_id], base_url(), frozenset())
    return found[0] if found else None


def respond_with(
    resource_type: str, resource_id: str, status: int, headers: dict[str, str]
) -> Response:
    """The resource as served after a write, read in a fresh transaction."""
    store = current_app.extensions["idcc_store"]
    endpoint = BY_NAME[resource_type]
    with store.reading() as connection:
        snapshot_id = served_snapshot_id(connection)
        texts = documents_json(
            connection, snapshot_id, endpoint, [resource_id], list_query(request.args)
        )
        found = version(connection, endpoint, resource_id)
    if not texts:
        raise ScimError(404, f"{resource_type} {resource_id} not found")
    response = current_app.response_class(texts[0], status=status, mimetype=SCIM_MEDIA_TYPE)
    response.headers.update(headers)
    if found:
        response.headers["ETag"] = found
    if status == 201:
        response.headers["Location"] = f"{base_url()}/{endpoint.path}/{resource_id}"
    return response


def documents_json(
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
    requested = requested_paths(endpoint.name, endpoint.core_schema, query.attributes)
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


def version(connection: sa.Connection, endpoint: Endpoint, resource_id: str) -> str | None:
    """The resource's ETag: its whole version, whatever attributes were asked for."""
    found = reads.versions(connection, endpoint.name, [resource_id]).get(resource_id)
    return etag(found)


def dump_document(endpoint: Endpoint, document: dict[str, Any], query: ListQuery) -> dict[str, Any]:
    return _project(endpoint, dump_resource(endpoint.name, document), query)


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False)


def _project(endpoint: Endpoint, dumped: dict[str, Any], query: ListQuery) -> dict[str, Any]:
    return project(
        dumped,
        endpoint.name,
        endpoint.core_schema,
        query.attributes,
        query.excluded_attributes,
    )
