"""The shape of a published definition: attributes, schemas and resource types.

RFC 7643 §2.2 lists the characteristics every attribute has, §7 how a schema
publishes them and §6 how a resource type names its schemas. These classes hold
the definitions once; `to_scim()` renders the JSON the discovery endpoints serve
(RFC 7644 §4), so what a client reads and what the service checks cannot drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from schemas import urns

AttributeType = Literal[
    "string", "boolean", "decimal", "integer", "dateTime", "reference", "complex"
]
Mutability = Literal["readOnly", "readWrite", "immutable", "writeOnly"]
Returned = Literal["always", "never", "default", "request"]
Uniqueness = Literal["none", "server", "global"]

# RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar); "$ref" is the one reserved
# exception, used by reference sub-attributes (§2.3.7).
_ATTRIBUTE_NAME = re.compile(r"\$ref|[A-Za-z][A-Za-z0-9_-]*")


def _by_name(attributes: tuple[AttributeDefinition, ...], name: str) -> AttributeDefinition | None:
    """RFC 7643 §2.1: attribute names are case-insensitive."""
    wanted = name.casefold()
    return next((a for a in attributes if a.name.casefold() == wanted), None)


def _refuse_duplicates(owner: str, attributes: tuple[AttributeDefinition, ...]) -> None:
    names = [a.name.casefold() for a in attributes]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{owner}: attribute names repeat (case-insensitively): {duplicates}")


@dataclass(frozen=True, kw_only=True)
class AttributeDefinition:
    """One attribute and its RFC 7643 §2.2 characteristics.

    The defaults are the ones §2.2 gives an attribute that does not state them
    (string, single-valued, optional, not case-exact, readWrite, returned by
    default, no uniqueness).
    """

    name: str
    type: AttributeType = "string"
    multi_valued: bool = False
    required: bool = False
    case_exact: bool = False
    mutability: Mutability = "readWrite"
    returned: Returned = "default"
    uniqueness: Uniqueness = "none"
    description: str = ""
    sub_attributes: tuple[AttributeDefinition, ...] = ()
    canonical_values: tuple[str, ...] = ()
    reference_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _ATTRIBUTE_NAME.fullmatch(self.name):
            raise ValueError(f"{self.name!r} is not an RFC 7643 §2.1 attribute name")
        for value, allowed in (
            (self.type, AttributeType),
            (self.mutability, Mutability),
            (self.returned, Returned),
            (self.uniqueness, Uniqueness),
        ):
            if value not in get_args(allowed):
                raise ValueError(f"{self.name}: {value!r} is not one of {get_args(allowed)}")
        # RFC 7643 §7: subAttributes only for complex, referenceTypes only for references.
        if (self.type == "complex") != bool(self.sub_attributes):
            raise ValueError(f"{self.name}: sub-attributes belong to complex attributes only")
        if (self.type == "reference") != bool(self.reference_types):
            raise ValueError(f"{self.name}: reference types belong to reference attributes only")
        _refuse_duplicates(self.name, self.sub_attributes)

    def sub_attribute(self, name: str) -> AttributeDefinition | None:
        """The sub-attribute called `name`, case-insensitively (RFC 7643 §2.1)."""
        return _by_name(self.sub_attributes, name)

    def to_scim(self) -> dict[str, Any]:
        """The attribute as RFC 7643 §7 publishes it in a schema's `attributes`."""
        rendered: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.sub_attributes:
            rendered["subAttributes"] = [sub.to_scim() for sub in self.sub_attributes]
        rendered["multiValued"] = self.multi_valued
        rendered["description"] = self.description
        rendered["required"] = self.required
        if self.canonical_values:
            rendered["canonicalValues"] = list(self.canonical_values)
        if self.type != "complex":
            rendered["caseExact"] = self.case_exact
        rendered["mutability"] = self.mutability
        rendered["returned"] = self.returned
        rendered["uniqueness"] = self.uniqueness
        if self.reference_types:
            rendered["referenceTypes"] = list(self.reference_types)
        return rendered


@dataclass(frozen=True, kw_only=True)
class SchemaDefinition:
    """A schema the service publishes at /Schemas (RFC 7643 §7)."""

    id: str
    name: str
    description: str
    attributes: tuple[AttributeDefinition, ...]

    def __post_init__(self) -> None:
        _refuse_duplicates(self.id, self.attributes)

    def attribute(self, name: str) -> AttributeDefinition | None:
        """The top-level attribute called `name`, case-insensitively (RFC 7643 §2.1)."""
        return _by_name(self.attributes, name)

    def to_scim(self, *, location: str | None = None) -> dict[str, Any]:
        """The schema resource of RFC 7643 §7; `location` is its URL, when known."""
        meta: dict[str, Any] = {"resourceType": "Schema"}
        if location is not None:
            meta["location"] = location
        return {
            "schemas": [urns.SCHEMA],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": [attribute.to_scim() for attribute in self.attributes],
            "meta": meta,
        }


@dataclass(frozen=True, kw_only=True)
class SchemaExtension:
    """An extension a resource type carries (RFC 7643 §6 `schemaExtensions`)."""

    schema: str
    required: bool = False


@dataclass(frozen=True, kw_only=True)
class ResourceTypeDefinition:
    """A resource type the service publishes at /ResourceTypes (RFC 7643 §6).

    Its `name` is also its `id` and the `meta.resourceType` of its resources.
    """

    name: str
    endpoint: str
    description: str
    schema: str
    schema_extensions: tuple[SchemaExtension, ...] = ()

    @property
    def id(self) -> str:
        return self.name

    @property
    def schema_ids(self) -> tuple[str, ...]:
        """The base schema, then its extensions: every URN a resource may name."""
        return (self.schema, *(extension.schema for extension in self.schema_extensions))

    def to_scim(self, *, location: str | None = None) -> dict[str, Any]:
        """The resource type resource of RFC 7643 §6; `location` is its URL, when known."""
        rendered: dict[str, Any] = {
            "schemas": [urns.RESOURCE_TYPE],
            "id": self.id,
            "name": self.name,
            "endpoint": self.endpoint,
            "description": self.description,
            "schema": self.schema,
        }
        if self.schema_extensions:
            rendered["schemaExtensions"] = [
                {"schema": extension.schema, "required": extension.required}
                for extension in self.schema_extensions
            ]
        meta: dict[str, Any] = {"resourceType": "ResourceType"}
        if location is not None:
            meta["location"] = location
        rendered["meta"] = meta
        return rendered
