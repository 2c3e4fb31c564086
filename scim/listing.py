"""Which resources a list request returns: filtered, sorted and paged in SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from schemas.definitions import find_attribute
from scim.errors import ScimError
from scim.filters import compile_filter
from scim.query import ListQuery
from scim.sql_map import Children, Column, ResourceSql


def select_ids(
    connection: sa.Connection, resource: ResourceSql, snapshot_id: int, query: ListQuery
) -> tuple[int, list[str]]:
    """(totalResults, the ids of the requested page in order)."""
    selection = resource.rows(snapshot_id)
    if query.filter:
        selection = selection.where(compile_filter(query.filter, resource, snapshot_id))
    ids: list[str] = []
    if query.count > 0:
        page = (
            selection.order_by(*_order(resource, query, snapshot_id))
            .offset(query.start_index - 1)
            .limit(query.count)
        )
        ids = [row.id for row in connection.execute(page)]
        if query.start_index == 1 and len(ids) < query.count:
            # The whole result fits on this first page: its length is the total,
            # which spares single-account lookups a second query.
            return len(ids), ids
    total = connection.execute(
        sa.select(sa.func.count()).select_from(selection.subquery())
    ).scalar_one()
    return total, ids


def _order(resource: ResourceSql, query: ListQuery, snapshot_id: int) -> list[Any]:
    """sortBy (RFC 7644 §3.4.2.3), then the default order, then id for stable pages."""
    order: list[Any] = []
    if query.sort_by:
        column = _sort_column(resource, query.sort_by, snapshot_id)
        order.append(column.desc().nulls_first() if query.descending else column.asc().nulls_last())
    order.extend(resource.default_sort)
    order.append(resource.id_column)
    return order


def _sort_column(resource: ResourceSql, name: str, snapshot_id: int) -> Any:
    resolved = find_attribute(resource.name, None, name, None)
    if resolved is None:
        raise ScimError(
            400, f"sortBy: {resource.name} has no attribute {name!r}", scim_type="invalidValue"
        )
    key = (
        resolved.path
        if resolved.schema == resource.core_schema or resolved.common
        else (f"{resolved.schema}:{resolved.path}")
    )
    target = resource.attributes.get(key)
    parent, _, sub = key.rpartition(".")
    side = resource.attributes.get(parent)
    if isinstance(target, Column):
        expression = target.expression
    elif isinstance(side, Children) and side.single and sub in side.columns:
        expression = side.scalar(sub, snapshot_id)  # meta.lastModified
    else:
        raise ScimError(
            400, f"sortBy: {name!r} is multi-valued or not sortable", scim_type="invalidValue"
        )
    definition = resolved.definition
    if definition.type in ("string", "reference") and not definition.case_exact:
        return sa.func.lower(expression)
    return expression
