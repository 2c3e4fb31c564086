"""The marshmallow shapes that dump resources and API messages and load search requests.

Resource schemas are generated from the published definitions
(`schemas.definitions`), so a resource carries exactly the attributes its schemas
publish, in their order, and nothing the definitions do not know. They dump plain
dicts already in SCIM shape (camelCase names, extensions under their URN):

    dump_resource("User", {"id": "...", "userName": "...", ENTERPRISE_USER: {...}})

Values that are None, empty lists or empty objects are left out: RFC 7643 §2.5
treats unassigned, null and empty alike, and clients cope best with absence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final, cast

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_dump,
    post_load,
    pre_load,
    validate,
    validates,
)

from schemas import urns
from schemas.attributes import AttributeDefinition, ResourceTypeDefinition
from schemas.definitions import COMMON_ATTRIBUTES, META, RESOURCE_TYPES, SCHEMAS

# -- dumping ------------------------------------------------------------------------------------


def _is_unassigned(value: Any) -> bool:
    """RFC 7643 §2.5: null, an empty array and absence are the same state."""
    return value is None or (isinstance(value, list | dict) and not value)


class _DumpSchema(Schema):
    """Reads plain mappings and leaves unassigned values out of what it writes."""

    class Meta:
        register = False

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        # A plain key lookup: marshmallow's default would read "a.b" as a path
        # (URNs hold "2.0") and fall back to attributes (dict.values, dict.items).
        return obj.get(attr, default) if isinstance(obj, Mapping) else default

    def _finish(self, data: dict[str, Any]) -> dict[str, Any]:
        assigned: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, list):
                value = [item for item in value if not _is_unassigned(item)]
            if not _is_unassigned(value):
                assigned[key] = value
        return assigned

    @post_dump
    def _post_dump(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return self._finish(data)


class _DateTime(fields.Field[datetime | str]):
    """RFC 7643 §2.3.5: an xsd:dateTime; naive datetimes are taken as UTC."""

    def _serialize(
        self, value: datetime | str | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> Any:
        if value is None or isinstance(value, str):
            return value
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _scalar_field(attribute: AttributeDefinition) -> fields.Field[Any]:
    """RFC 7643 §2.3: the JSON form of each simple attribute type."""
    match attribute.type:
        case "boolean":
            return fields.Boolean()
        case "integer":
            return fields.Integer()
        case "decimal":
            return fields.Float()
        case "dateTime":
            return _DateTime()
        case _:
            return fields.String()


def _field(attribute: AttributeDefinition) -> fields.Field[Any]:
    if attribute.type == "complex":
        return fields.Nested(
            _complex_schema(attribute.name, attribute.sub_attributes),
            many=attribute.multi_valued,
        )
    if attribute.multi_valued:
        return fields.List(_scalar_field(attribute))
    return _scalar_field(attribute)


def _declared(attributes: Sequence[AttributeDefinition]) -> dict[str, fields.Field[Any]]:
    # RFC 7643 §2.2: "never" attributes are never returned, whatever the document holds.
    return {a.name: _field(a) for a in attributes if a.returned != "never"}


def _complex_schema(name: str, attributes: Sequence[AttributeDefinition]) -> type[Schema]:
    return _DumpSchema.from_dict(_declared(attributes), name=f"{name}Schema")


class _ResourceDumpSchema(_DumpSchema):
    """A resource: `schemas` first, then the common and schema attributes, `meta` last.

    `schemas` names the base schema and the extensions the resource carries
    (RFC 7643 §3); `meta.resourceType` is the resource type's name (§3.1).
    """

    resource_type: ResourceTypeDefinition

    def _finish(self, data: dict[str, Any]) -> dict[str, Any]:
        data = super()._finish(data)
        given = data.pop("meta", {})
        meta = {"resourceType": self.resource_type.name}
        meta |= {key: value for key, value in given.items() if key != "resourceType"}
        extensions = [urn for urn in self.resource_type.schema_ids[1:] if urn in data]
        return {"schemas": [self.resource_type.schema, *extensions], **data, "meta": meta}


def _resource_schema(resource_type: ResourceTypeDefinition) -> type[Schema]:
    common = [a for a in COMMON_ATTRIBUTES if a is not META]
    declared: dict[str, Any] = {
        **_declared(common),
        **_declared(SCHEMAS[resource_type.schema].attributes),
    }
    for urn in resource_type.schema_ids[1:]:
        declared[urn] = fields.Nested(_complex_schema(SCHEMAS[urn].name, SCHEMAS[urn].attributes))
    declared |= _declared([META])
    namespace = {
        **declared,
        "resource_type": resource_type,
        "Meta": type("Meta", (), {"register": False}),
    }
    return cast(
        type[Schema], type(f"{resource_type.name}Schema", (_ResourceDumpSchema,), namespace)
    )


RESOURCE_SCHEMAS: Final[Mapping[str, Schema]] = MappingProxyType(
    {name: _resource_schema(definition)() for name, definition in RESOURCE_TYPES.items()}
)
"""A dump schema per resource type, by resource type name."""


def dump_resource(resource_type: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """One resource as a client receives it (RFC 7643 §3), from a SCIM-shaped mapping."""
    return cast(dict[str, Any], RESOURCE_SCHEMAS[resource_type].dump(document))


class ListResponseSchema(_DumpSchema):
    """RFC 7644 §3.4.2: the answer to a query. `Resources` is always present, even empty.

    `Resources` holds resources already dumped; `schemas` is set, whatever the input says.
    """

    totalResults = fields.Integer(required=True)
    startIndex = fields.Integer()
    itemsPerPage = fields.Integer()
    Resources = fields.List(fields.Raw())

    def _finish(self, data: dict[str, Any]) -> dict[str, Any]:
        resources = data.get("Resources", [])
        return {"schemas": [urns.LIST_RESPONSE], **super()._finish(data), "Resources": resources}


def dump_list_response(
    resources: Sequence[Mapping[str, Any]],
    *,
    total_results: int,
    start_index: int = 1,
    items_per_page: int | None = None,
) -> dict[str, Any]:
    """A ListResponse of already dumped resources; `itemsPerPage` defaults to their count."""
    message = {
        "totalResults": total_results,
        "startIndex": start_index,
        "itemsPerPage": len(resources) if items_per_page is None else items_per_page,
        "Resources": list(resources),
    }
    return cast(dict[str, Any], ListResponseSchema().dump(message))


# RFC 7644 §3.12, Table 9: the scimType values an error may carry.
SCIM_ERROR_TYPES: Final = frozenset(
    {
        "invalidFilter",
        "tooMany",
        "uniqueness",
        "mutability",
        "invalidSyntax",
        "invalidPath",
        "noTarget",
        "invalidValue",
        "invalidVers",
        "sensitive",
    }
)


class ErrorSchema(_DumpSchema):
    """RFC 7644 §3.12: an error body; `status` is the HTTP status code as a JSON string."""

    status = fields.String(required=True)
    scimType = fields.String()
    detail = fields.String()

    def _finish(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"schemas": [urns.ERROR], **super()._finish(data)}


def dump_error(
    status: int, detail: str | None = None, *, scim_type: str | None = None
) -> dict[str, Any]:
    """An RFC 7644 §3.12 error body. An unknown `scim_type` is a bug: ValueError."""
    if scim_type is not None and scim_type not in SCIM_ERROR_TYPES:
        raise ValueError(f"{scim_type!r} is not an RFC 7644 §3.12 scimType")
    message = {"status": status, "scimType": scim_type, "detail": detail}
    return cast(dict[str, Any], ErrorSchema().dump(message))


# -- loading ------------------------------------------------------------------------------------


class _AttributeNames(fields.Field[list[str]]):
    """RFC 7644 §3.4.2.5: attribute names, as a JSON list or a comma-separated string."""

    default_error_messages = {  # noqa: RUF012 (marshmallow's own declaration style)
        "invalid": "Not a list of attribute names or a comma-separated string of them."
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> list[str]:
        if isinstance(value, str):
            items = [value]
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            items = value
        else:
            raise self.make_error("invalid")
        return [name.strip() for item in items for name in item.split(",") if name.strip()]


class SearchRequestSchema(Schema):
    """Loads the body of POST /.search (RFC 7644 §3.4.3).

    The result is a dict keyed by the RFC's parameter names, as a query string
    would give them (§3.4.2), holding only the parameters given: `attributes`
    and `excludedAttributes` as lists, `sortOrder` in lower case, `startIndex`
    and `count` clamped as §3.4.2.4 says (a start below 1 means 1, a negative
    count means 0). `schemas`, when given, must name the SearchRequest message.

    Member names match case-insensitively (RFC 7643 §2.1), and so do
    `sortOrder` values. Unknown members are refused rather than ignored: a
    misspelt "filter" must not become an unfiltered search. Numbers must be
    JSON integers. Null means not given (RFC 7643 §2.5). Anything else raises
    ValidationError.
    """

    class Meta:
        unknown = RAISE

    schemas = fields.List(fields.String(), allow_none=True)
    attributes = _AttributeNames(allow_none=True)
    excludedAttributes = _AttributeNames(allow_none=True)
    filter = fields.String(allow_none=True)
    sortBy = fields.String(allow_none=True)
    sortOrder = fields.String(allow_none=True, validate=validate.OneOf(["ascending", "descending"]))
    startIndex = fields.Integer(strict=True, allow_none=True)
    count = fields.Integer(strict=True, allow_none=True)

    @pre_load
    def _canonical_names(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            return data  # marshmallow refuses it: "Invalid input type."
        names = {name.casefold(): name for name in self.fields}
        canonical: dict[str, Any] = {}
        for key, value in data.items():
            name = names.get(key.casefold(), key) if isinstance(key, str) else key
            if name in canonical:
                raise ValidationError("Given more than once.", field_name=str(name))
            canonical[name] = value
        if isinstance(canonical.get("sortOrder"), str):
            canonical["sortOrder"] = canonical["sortOrder"].casefold()
        return canonical

    @validates("schemas")
    def _names_search_request(self, value: list[str] | None, **kwargs: Any) -> None:
        if value is not None and urns.SEARCH_REQUEST.casefold() not in {
            urn.casefold() for urn in value
        }:
            raise ValidationError(f"A SearchRequest's schemas must hold {urns.SEARCH_REQUEST}.")

    @post_load
    def _parameters(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        parameters = {
            name: value for name, value in data.items() if name != "schemas" and value is not None
        }
        if "startIndex" in parameters:
            parameters["startIndex"] = max(parameters["startIndex"], 1)
        if "count" in parameters:
            parameters["count"] = max(parameters["count"], 0)
        return parameters


def load_search_request(body: Any) -> dict[str, Any]:
    """A POST /.search body (RFC 7644 §3.4.3); raises ValidationError when malformed."""
    return cast(dict[str, Any], SearchRequestSchema().load(body))
