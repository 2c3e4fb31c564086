"""How a SCIM attribute of a served resource type lives in the store, as SQL.

Each served type's module (`scim.resources.*`) maps its attributes with these
pieces; `scim.filters` compiles filters and `scim.listing` sorts against
those maps, so a filter never runs as a scan in Python. An attribute is either a
`Column` (single-valued: an expression over the resource's row) or `Children`
(rows of another table that belong to the resource's row: a multi-valued
attribute's values, or meta's one row; tested with IN (SELECT ...)). Keys are
canonical attribute paths ("name.givenName", "emails.value"), with the schema
URN in front for extension attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import Grouping
from sqlalchemy.sql.selectable import NamedFromClause
from sqlalchemy.sql.visitors import InternalTraversal

from connector.served.provenance import OUT_OF_BAND, THROUGH_CONNECTOR
from connector.served.served_type import RESOURCE_PREFIX, ServedType
from connector.store import tables as t
from schemas.definitions import RESOURCE_TYPES

SqlExpr = sa.ColumnElement[Any]


@dataclass(frozen=True)
class Column:
    expression: SqlExpr


@dataclass(frozen=True)
class Children:
    """Rows of `source` that belong to a resource row: the values of a multi-valued
    attribute, or (`single`) the one row a side table keeps for each resource.

    A row belongs when its `key` equals the resource's `owner`, `where` holds and,
    for a table kept per snapshot, `snapshot` is the served one. Filters test children with one
    uncorrelated `IN (SELECT ...)` (`owned`): the database computes the matching
    owners once per query, where a correlated EXISTS would run once per resource
    row and per comparison (issue 9: 300 such comparisons took a minute).
    """

    source: sa.FromClause
    key: SqlExpr  # the child's column naming its owner ...
    owner: SqlExpr  # ... and the resource's, which it equals
    columns: Mapping[str, SqlExpr]  # sub-attribute -> column
    snapshot: SqlExpr | None = None
    where: SqlExpr | None = None
    single: bool = False

    def _conditions(self, snapshot_id: int) -> list[SqlExpr]:
        found = [] if self.snapshot is None else [self.snapshot == snapshot_id]
        return found if self.where is None else [*found, self.where]

    def owned(self, snapshot_id: int, condition: SqlExpr, having: SqlExpr | None = None) -> SqlExpr:
        """TRUE for the resource rows owning a child row where `condition` holds (and,
        with `having`, whose such rows as a group meet it), else FALSE.

        The child's key is never NULL (it is made of primary key columns); the
        test says so anyway, since one NULL would turn a NOT IN into NULL.
        """
        selected = (
            sa.select(self.key)
            .select_from(self.source)
            .where(*self._conditions(snapshot_id), self.key.is_not(None), condition)
        )
        if having is not None:
            selected = selected.group_by(self.key).having(having)
        return _Subplan(self.owner.in_(selected))

    def scalar(self, name: str, snapshot_id: int) -> SqlExpr:
        """The value of a `single` child's column for the current resource row (sorting)."""
        return (
            sa.select(self.columns[name])
            .select_from(self.source)
            .where(*self._conditions(snapshot_id), self.key == self.owner)
            .scalar_subquery()
        )


@dataclass(frozen=True)
class ResourceSql:
    """One resource type as SQL: its rows, its id, its attributes."""

    name: str
    core_schema: str
    source: sa.FromClause
    snapshot_column: SqlExpr
    id_column: SqlExpr
    attributes: Mapping[str, Column | Children] = field(default_factory=dict)
    default_sort: tuple[SqlExpr, ...] = ()

    def rows(self, snapshot_id: int) -> sa.Select[Any]:
        """The ids, with the default order's other columns: SQLite flattens a
        UNION ALL source (the Entitlements of both kinds) into a query ordered by
        its columns, reading each branch in index order, only where the query
        selects them (else it materialises and sorts every row for each page)."""
        ordered = [
            c.label(f"order_{i}")
            for i, c in enumerate(self.default_sort)
            if c is not self.id_column
        ]
        return (
            sa.select(self.id_column.label("id"), *ordered)
            .select_from(self.source)
            .where(self.snapshot_column == snapshot_id)
        )


class _Subplan(sa.ColumnElement[bool]):
    """An IN (SELECT ...) that PostgreSQL computes once, as a hashed subplan.

    Left as it is, PostgreSQL turns each such IN into a semi-join; with a few of
    them its row estimates fall to 1 and it picks nested loops that read the
    children again for every resource (6 s for 20 tests on 500 users). An
    `IS TRUE` around it keeps it a subplan. SQLite gets the IN as it is: it
    already computes it once, and the `IS TRUE` would cost it the index lookups
    the IN drives.
    """

    inherit_cache = True
    _traverse_internals = [("test", InternalTraversal.dp_clauseelement)]  # noqa: RUF012
    type = sa.Boolean()

    def __init__(self, test: SqlExpr) -> None:
        self.test = test

    def self_group(self, against: Any = None) -> Any:
        return Grouping(self)

    def _negate(self) -> Any:
        return _Subplan(sa.not_(self.test))


@compiles(_Subplan)
def _subplan(element: _Subplan, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.test, **kw))


@compiles(_Subplan, "postgresql")
def _postgresql_subplan(element: _Subplan, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.test, **kw)}) IS TRUE"


def resource_sql(
    served: ServedType,
    *,
    source: sa.FromClause,
    snapshot_column: SqlExpr,
    id_column: SqlExpr,
    default_sort: tuple[SqlExpr, ...],
    attributes: Mapping[str, Column | Children],
) -> ResourceSql:
    """A served type's map, named and schema'd as it is published, with its `meta`."""
    return ResourceSql(
        name=served.name,
        core_schema=RESOURCE_TYPES[served.name].schema,
        source=source,
        snapshot_column=snapshot_column,
        id_column=id_column,
        default_sort=default_sort,
        attributes={**attributes, **version_meta(served.name, id_column)},
    )


def table_sql(
    served: ServedType, table: sa.Table, attributes: Mapping[str, Column | Children]
) -> ResourceSql:
    """The map of a type served one row per resource, by the row's `id`."""
    return resource_sql(
        served,
        source=table,
        snapshot_column=table.c.snapshot_id,
        id_column=table.c.id,
        default_sort=(table.c.id,),
        attributes=attributes,
    )


def version_meta(resource: str, id_column: SqlExpr) -> dict[str, Column | Children]:
    """meta.created/lastModified from the change record: its one row per resource.

    Not a join: most requests neither filter nor sort on meta, and a join on
    every row would make SQLite plan lookups and pages around it. A filter
    selects the matching ids through ix_object_versions_modified instead.
    """
    version = t.object_versions.alias(f"v_{resource.lower()}")
    return {
        "meta": Children(
            source=version,
            key=version.c.object_id,
            owner=id_column,
            where=version.c.object_type == f"{RESOURCE_PREFIX}{resource}",
            columns={"created": version.c.created_at, "lastModified": version.c.last_modified_at},
            single=True,
        )
    }


GRANTED_COLUMNS = ("grantedAt", "grantedBy", "grantedThrough", "operation")


def with_provenance(
    assignments: NamedFromClause, kept: sa.Table = t.assignment_provenance
) -> tuple[sa.FromClause, dict[str, SqlExpr]]:
    """Assignment rows joined with who made each (`kept`: the provenance table of
    their kind, keyed by the assignment's own columns), and the provenance
    sub-attributes as columns (the SQL twin of connector.served.provenance.granted)."""
    made = kept.alias()
    source = assignments.outerjoin(
        made,
        sa.and_(*(made.c[c.name] == assignments.c[c.name] for c in kept.primary_key.columns)),
    )
    columns = (
        made.c.granted_at,
        made.c.granted_by,
        sa.case((made.c.operation_id.is_not(None), THROUGH_CONNECTOR), else_=OUT_OF_BAND),
        made.c.operation_id,
    )
    return source, dict(zip(GRANTED_COLUMNS, columns, strict=True))


def entitlement_id(account_id: SqlExpr, permission_set_id: SqlExpr) -> SqlExpr:
    # The SQL twin of connector.record_keys.entitlement_id.
    return account_id + sa.literal(".") + permission_set_id


def entitlement_display(
    permission_set_name: SqlExpr, account_id: SqlExpr, account_name: SqlExpr
) -> SqlExpr:
    """ "ReadOnly @ prod-payments (111122223333)", or without the name if unknown."""
    return sa.case(
        (
            account_name.is_(None),
            permission_set_name + sa.literal(" @ ") + account_id,
        ),
        else_=permission_set_name
        + sa.literal(" @ ")
        + account_name
        + sa.literal(" (")
        + account_id
        + sa.literal(")"),
    )


def external_id(owner_type: str, owner_id: SqlExpr) -> Children:
    ext = t.external_ids.alias(f"x_{owner_type}")
    return Children(
        source=ext,
        snapshot=ext.c.snapshot_id,
        key=ext.c.owner_id,
        owner=owner_id,
        where=sa.and_(ext.c.owner_type == owner_type, ext.c.position == 0),
        columns={"value": ext.c.external_id},
    )


def assignments_of(principal_type: str, principal_id: SqlExpr) -> Children:
    """Direct assignments of a principal, to accounts and to applications, as
    entitlement references (its `entitlements`)."""
    suffix = principal_type.lower()
    a = t.assignments.alias(f"a_{suffix}")
    ps = t.permission_sets.alias(f"ps_{suffix}")
    acct = t.accounts.alias(f"acct_{suffix}")
    to_accounts = (
        sa.select(
            a.c.snapshot_id,
            a.c.principal_id,
            entitlement_id(a.c.account_id, ps.c.id).label("value"),
            entitlement_display(ps.c.name, a.c.account_id, acct.c.name).label("display"),
            sa.literal("permissionSet").label("type"),
        )
        .select_from(
            a.join(
                ps,
                sa.and_(ps.c.snapshot_id == a.c.snapshot_id, ps.c.arn == a.c.permission_set_arn),
            ).outerjoin(
                acct, sa.and_(acct.c.snapshot_id == a.c.snapshot_id, acct.c.id == a.c.account_id)
            )
        )
        .where(a.c.principal_type == principal_type)
    )
    aa, app = application_assignments()
    to_applications = (
        sa.select(
            aa.c.snapshot_id,
            aa.c.principal_id,
            app.c.id.label("value"),
            app.c.name.label("display"),
            sa.literal("application").label("type"),
        )
        .select_from(aa)
        .join(app, application_of(aa, app))
        .where(aa.c.principal_type == principal_type)
    )
    held = sa.union_all(to_accounts, to_applications).subquery(f"held_{suffix}")
    return Children(
        source=held,
        snapshot=held.c.snapshot_id,
        key=held.c.principal_id,
        owner=principal_id,
        columns={"value": held.c.value, "display": held.c.display, "type": held.c.type},
    )


def application_assignments() -> tuple[NamedFromClause, NamedFromClause]:
    """Fresh aliases of application assignments and applications, to join with
    `application_of`."""
    return t.application_assignments.alias(), t.applications.alias()


def application_of(assignments: NamedFromClause, applications: NamedFromClause) -> SqlExpr:
    """The join of an application assignment to its application, in its snapshot."""
    return sa.and_(
        applications.c.snapshot_id == assignments.c.snapshot_id,
        applications.c.arn == assignments.c.application_arn,
    )
