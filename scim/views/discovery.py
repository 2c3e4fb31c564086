"""Discovery (RFC 7644 §4, RFC 7643 §5-7): /ServiceProviderConfig, /ResourceTypes,
/Schemas, generated from the published definitions in `schemas`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from schemas import definitions
from schemas.resources import dump_list_response
from scim.errors import ScimError
from scim.query import MAX_COUNT
from scim.responses import scim_response
from scim.served import base_url

blueprint = Blueprint("discovery", __name__)


@blueprint.get("/ServiceProviderConfig")
def service_provider_config() -> Response:
    return scim_response(
        definitions.service_provider_config(
            max_results=MAX_COUNT,
            documentation_uri=None,
            location=f"{base_url()}/ServiceProviderConfig",
        )
    )


@blueprint.get("/ResourceTypes")
def resource_types() -> Response:
    found = [_resource_type(r) for r in definitions.RESOURCE_TYPES.values()]
    return scim_response(_listing(found))


@blueprint.get("/ResourceTypes/<name>")
def resource_type(name: str) -> Response:
    found = definitions.find_resource_type(name)
    if found is None:
        raise ScimError(404, f"no resource type {name}")
    return scim_response(_resource_type(found))


@blueprint.get("/Schemas")
def schemas() -> Response:
    return scim_response(_listing([_schema(s) for s in definitions.SCHEMAS.values()]))


@blueprint.get("/Schemas/<path:urn>")
def schema(urn: str) -> Response:
    found = definitions.find_schema(urn)
    if found is None:
        raise ScimError(404, f"no schema {urn}")
    return scim_response(_schema(found))


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
