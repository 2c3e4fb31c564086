"""One served resource type as the SCIM service shows it, in one value.

Each type's module in `scim.resources` ends with one `Endpoint`: the resource
type it publishes (`schemas.definitions`: name, path, core schema), where its
attributes live as SQL (`scim.sql_map`: filters and sorting), how its
documents are built, whether clients may write it, and the connector's
description of it (`connector.served`: what its digest covers, which stored
rows change it). `scim.resources.registry` lists them; nothing else pairs a
type with its path, SQL or documents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from connector.served.served_type import ServedType
from schemas.attributes import ResourceTypeDefinition
from schemas.definitions import RESOURCE_TYPES
from scim.sql_map import ResourceSql

# (connection, snapshot id, ids, base URL, paths the client asked for) -> documents
Documents = Callable[
    [sa.Connection, int, Sequence[str], str, frozenset[tuple[str, ...]]], list[dict[str, Any]]
]


@dataclass(frozen=True)
class Endpoint:
    """A served type: the connector's description, its SQL map, its documents,
    and whether clients may write it; its name, path and schema are published ones."""

    served: ServedType
    sql: ResourceSql
    documents: Documents
    writable: bool = False

    def __post_init__(self) -> None:
        # A type wired to another's SQL would filter one table and show another.
        if self.sql.name != self.served.name or self.sql.core_schema != self.core_schema:
            raise ValueError(f"{self.served.name}: its SQL map describes {self.sql.name}")

    @property
    def name(self) -> str:
        """The resource type's name: `meta.resourceType`, and the change record's."""
        return self.served.name

    @property
    def definition(self) -> ResourceTypeDefinition:
        """The resource type published at /ResourceTypes under its name."""
        return RESOURCE_TYPES[self.served.name]

    @property
    def path(self) -> str:
        """Where it is served under the base URL ("Users"), as published."""
        return self.definition.endpoint.lstrip("/")

    @property
    def core_schema(self) -> str:
        return self.definition.schema
