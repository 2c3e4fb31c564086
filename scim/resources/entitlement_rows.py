"""The SQL columns both kinds of entitlement share, so /Entitlements is one query.

Account and application entitlements live in different tables; each kind's
module selects its rows in these columns (NULL where it has no such thing),
and `scim.resources.entitlements` serves their UNION ALL: one filter, one
sort and one page over both kinds, in SQL (`scim.sql_map`). Members likewise:
each kind selects its holders keyed by the `member_key` of its rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from scim.sql_map import GRANTED_COLUMNS, SqlExpr

# name -> type, in the order every branch of the union selects them
SHARED: Mapping[str, sa.types.TypeEngine[Any]] = {
    "snapshot_id": sa.Integer(),
    "id": sa.String(),
    "display_name": sa.Text(),
    "type": sa.String(),
    "provisioned": sa.Boolean(),
    "permission_set_value": sa.String(),
    "permission_set_arn": sa.String(),
    "permission_set_name": sa.Text(),
    "permission_set_description": sa.Text(),
    "permission_set_session_duration": sa.String(),
    "application_arn": sa.String(),
    "application_name": sa.Text(),
    "application_description": sa.Text(),
    "application_provider_arn": sa.Text(),
    "application_status": sa.String(),
    "application_assignment_required": sa.Boolean(),
    "account_value": sa.String(),
    "account_name": sa.Text(),
    "account_status": sa.String(),
    # what the kind's members are keyed by (never NULL, unique across kinds)
    "member_key": sa.String(),
    # the order of ids, as columns an index can give in order: account entitlements
    # by (account id, "ps-..."), then applications ("app." sorts after any digit)
    "order_first": sa.String(),
    "order_second": sa.String(),
}


def shared_columns(**given: SqlExpr) -> list[SqlExpr]:
    """Every shared column, labelled, in order: `given`, or a typed NULL.

    Each is of its type, cast where it is not a table's column of that type:
    SQLite flattens a UNION ALL
    subquery into the query around it only where every column has the same
    affinity in every branch (https://sqlite.org/optoverview.html#flattening).
    Not flattened, it materialises every entitlement and sorts them for each
    page: 16 times slower on 50,000 entitlements.
    """
    unknown = given.keys() - SHARED.keys()
    if unknown:
        raise ValueError(f"not a shared entitlement column: {sorted(unknown)}")
    return [_typed(given.get(name, sa.null()), kind).label(name) for name, kind in SHARED.items()]


def _typed(expression: SqlExpr, kind: sa.types.TypeEngine[Any]) -> SqlExpr:
    """A table's column as it is (its affinity is its declared type's, and its
    index keeps serving filters and order), any other expression cast."""
    return expression if isinstance(expression, sa.Column) else sa.cast(expression, kind)


def member_columns(
    *,
    snapshot_id: SqlExpr,
    owner: SqlExpr,
    principal_id: SqlExpr,
    principal_type: SqlExpr,
    granted: Mapping[str, SqlExpr],
    last_used: SqlExpr,
) -> list[SqlExpr]:
    """A holder's columns, labelled, in the order both kinds select them, typed
    as `shared_columns` types them."""
    return [
        snapshot_id.label("snapshot_id"),
        _typed(owner, sa.String()).label("owner"),
        principal_id.label("principal_id"),
        _typed(principal_type, sa.String()).label("principal_type"),
        *(_typed(granted[name], _GRANTED_TYPES[name]).label(name) for name in GRANTED_COLUMNS),
        # Typed, not cast: SQLite's CAST to DATETIME is numeric and would turn the
        # time text into its year; NULL and a subquery both have no affinity.
        sa.type_coerce(last_used, sa.DateTime(timezone=True)).label("last_used"),
    ]


# the types of the provenance columns (scim.sql_map.GRANTED_COLUMNS), cast as `SHARED`'s
_GRANTED_TYPES: Mapping[str, sa.types.TypeEngine[Any]] = {
    "grantedAt": sa.DateTime(timezone=True),
    "grantedBy": sa.Text(),
    "grantedThrough": sa.String(),
    "operation": sa.String(),
}
