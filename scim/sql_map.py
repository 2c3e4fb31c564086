"""Where each SCIM attribute of each resource type lives in the store, as SQL.

`scim.filters` compiles filters and `scim.listing` sorts against these maps,
so a filter never runs as a scan in Python. An attribute is either a
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
from sqlalchemy.sql.visitors import InternalTraversal

from connector.served.served_type import RESOURCE_PREFIX
from connector.store import tables as t
from schemas import urns

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
        return (
            sa.select(self.id_column.label("id"))
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


def _with_versions(
    resource: str, table: sa.FromClause, id_column: SqlExpr
) -> tuple[sa.FromClause, dict[str, Column | Children]]:
    """meta.created/lastModified from the change record: its one row per resource.

    Not a join: most requests neither filter nor sort on meta, and a join on
    every row would make SQLite plan lookups and pages around it. A filter
    selects the matching ids through ix_object_versions_modified instead.
    """
    version = t.object_versions.alias(f"v_{resource.lower()}")
    return table, {
        "meta": Children(
            source=version,
            key=version.c.object_id,
            owner=id_column,
            where=version.c.object_type == f"{RESOURCE_PREFIX}{resource}",
            columns={"created": version.c.created_at, "lastModified": version.c.last_modified_at},
            single=True,
        )
    }


def _merge(
    attributes: Mapping[str, Column | Children], meta: Mapping[str, Column | Children]
) -> dict[str, Column | Children]:
    return {**attributes, **meta}


def _entitlement_id(account_id: SqlExpr, permission_set_id: SqlExpr) -> SqlExpr:
    # The SQL twin of connector.store.codec.entitlement_id.
    return account_id + sa.literal(".") + permission_set_id


def _pair_key(account_id: SqlExpr, permission_set_arn: SqlExpr) -> SqlExpr:
    """(account, permission set ARN) as one value: an account id is always 12 digits."""
    return account_id + sa.literal(" ") + permission_set_arn


def _entitlement_display(
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


def _external_id(owner_type: str, owner_id: SqlExpr) -> Children:
    ext = t.external_ids.alias(f"x_{owner_type}")
    return Children(
        source=ext,
        snapshot=ext.c.snapshot_id,
        key=ext.c.owner_id,
        owner=owner_id,
        where=sa.and_(ext.c.owner_type == owner_type, ext.c.position == 0),
        columns={"value": ext.c.external_id},
    )


def _assignments_of(principal_type: str, principal_id: SqlExpr) -> Children:
    """Direct account assignments of a principal, as entitlement references."""
    a = t.assignments.alias(f"a_{principal_type.lower()}")
    ps = t.permission_sets.alias(f"ps_{principal_type.lower()}")
    acct = t.accounts.alias(f"acct_{principal_type.lower()}")
    source = a.join(
        ps, sa.and_(ps.c.snapshot_id == a.c.snapshot_id, ps.c.arn == a.c.permission_set_arn)
    ).outerjoin(acct, sa.and_(acct.c.snapshot_id == a.c.snapshot_id, acct.c.id == a.c.account_id))
    return Children(
        source=source,
        snapshot=a.c.snapshot_id,
        key=a.c.principal_id,
        owner=principal_id,
        where=a.c.principal_type == principal_type,
        columns={
            "value": _entitlement_id(a.c.account_id, ps.c.id),
            "display": _entitlement_display(ps.c.name, a.c.account_id, acct.c.name),
            "type": sa.literal("permissionSet"),
        },
    )


def _multi(table: sa.Table, owner: SqlExpr, names: Mapping[str, str]) -> Children:
    child = table.alias()
    return Children(
        source=child,
        snapshot=child.c.snapshot_id,
        key=child.c.user_id,
        owner=owner,
        columns={sub: child.c[column] for sub, column in names.items()},
    )


def _user_sql() -> ResourceSql:
    u = t.users
    source, meta = _with_versions("User", u, u.c.id)
    m = t.memberships.alias("m_user")
    g = t.groups.alias("g_user")
    eff = _effective_access()
    aws = urns.AWS_USER
    enterprise = urns.ENTERPRISE_USER
    return ResourceSql(
        name="User",
        core_schema=urns.CORE_USER,
        source=source,
        snapshot_column=u.c.snapshot_id,
        id_column=u.c.id,
        default_sort=(u.c.id,),
        attributes=_merge(
            {
                "id": Column(u.c.id),
                "externalId": _external_id("user", u.c.id),
                "userName": Column(u.c.user_name),
                "name.formatted": Column(u.c.formatted_name),
                "name.familyName": Column(u.c.family_name),
                "name.givenName": Column(u.c.given_name),
                "name.middleName": Column(u.c.middle_name),
                "name.honorificPrefix": Column(u.c.honorific_prefix),
                "name.honorificSuffix": Column(u.c.honorific_suffix),
                "displayName": Column(u.c.display_name),
                "nickName": Column(u.c.nick_name),
                "profileUrl": Column(u.c.profile_url),
                "title": Column(u.c.title),
                "userType": Column(u.c.user_type),
                "preferredLanguage": Column(u.c.preferred_language),
                "locale": Column(u.c.locale),
                "timezone": Column(u.c.timezone),
                "active": Column(sa.func.coalesce(u.c.user_status, "ENABLED") != "DISABLED"),
                "emails": _multi(
                    t.user_emails,
                    u.c.id,
                    {"value": "value", "type": "type", "primary": "is_primary"},
                ),
                "phoneNumbers": _multi(
                    t.user_phone_numbers,
                    u.c.id,
                    {"value": "value", "type": "type", "primary": "is_primary"},
                ),
                "addresses": _multi(
                    t.user_addresses,
                    u.c.id,
                    {
                        "formatted": "formatted",
                        "streetAddress": "street_address",
                        "locality": "locality",
                        "region": "region",
                        "postalCode": "postal_code",
                        "country": "country",
                        "type": "type",
                        "primary": "is_primary",
                    },
                ),
                "groups": Children(
                    source=m.join(
                        g, sa.and_(g.c.snapshot_id == m.c.snapshot_id, g.c.id == m.c.group_id)
                    ),
                    snapshot=m.c.snapshot_id,
                    key=m.c.user_id,
                    owner=u.c.id,
                    columns={
                        "value": m.c.group_id,
                        "display": g.c.display_name,
                        "type": sa.literal("direct"),
                    },
                ),
                "entitlements": _assignments_of("USER", u.c.id),
                f"{enterprise}:employeeNumber": _enterprise(u, "employeeNumber"),
                f"{enterprise}:costCenter": _enterprise(u, "costCenter"),
                f"{enterprise}:organization": _enterprise(u, "organization"),
                f"{enterprise}:division": _enterprise(u, "division"),
                f"{enterprise}:department": _enterprise(u, "department"),
                f"{aws}:identityStoreId": Column(
                    sa.select(t.syncs.c.identity_store_id)
                    .where(t.syncs.c.id == u.c.snapshot_id)
                    .scalar_subquery()
                ),
                f"{aws}:userStatus": Column(u.c.user_status),
                f"{aws}:effectiveAccess": Children(
                    source=eff,
                    snapshot=eff.c.snapshot_id,
                    key=eff.c.user_id,
                    owner=u.c.id,
                    columns={
                        "value": eff.c.entitlement,
                        "accountId": eff.c.account_id,
                        "permissionSetArn": eff.c.permission_set_arn,
                    },
                ),
            },
            meta,
        ),
    )


def _enterprise(users: sa.Table, name: str) -> Column:
    return Column(users.c.enterprise[name].as_string())


def _effective_access() -> sa.Subquery:
    """(snapshot, user, entitlement) for every assignment a user holds, direct or via a group."""
    a = t.assignments
    ps = t.permission_sets
    m = t.memberships
    direct = (
        sa.select(
            a.c.snapshot_id,
            a.c.principal_id.label("user_id"),
            a.c.account_id,
            a.c.permission_set_arn,
            _entitlement_id(a.c.account_id, ps.c.id).label("entitlement"),
        )
        .join(ps, sa.and_(ps.c.snapshot_id == a.c.snapshot_id, ps.c.arn == a.c.permission_set_arn))
        .where(a.c.principal_type == "USER")
    )
    via_group = (
        sa.select(
            a.c.snapshot_id,
            m.c.user_id,
            a.c.account_id,
            a.c.permission_set_arn,
            _entitlement_id(a.c.account_id, ps.c.id).label("entitlement"),
        )
        .join(ps, sa.and_(ps.c.snapshot_id == a.c.snapshot_id, ps.c.arn == a.c.permission_set_arn))
        .join(
            m,
            sa.and_(
                m.c.snapshot_id == a.c.snapshot_id,
                a.c.principal_type == "GROUP",
                m.c.group_id == a.c.principal_id,
            ),
        )
    )
    return sa.union_all(direct, via_group).subquery("effective_access")


def _group_sql() -> ResourceSql:
    g = t.groups
    source, meta = _with_versions("Group", g, g.c.id)
    m = t.memberships.alias("m_group")
    u = t.users.alias("u_group")
    aws = urns.AWS_GROUP
    return ResourceSql(
        name="Group",
        core_schema=urns.CORE_GROUP,
        source=source,
        snapshot_column=g.c.snapshot_id,
        id_column=g.c.id,
        default_sort=(g.c.id,),
        attributes=_merge(
            {
                "id": Column(g.c.id),
                "externalId": _external_id("group", g.c.id),
                "displayName": Column(g.c.display_name),
                "members": Children(
                    source=m.join(
                        u, sa.and_(u.c.snapshot_id == m.c.snapshot_id, u.c.id == m.c.user_id)
                    ),
                    snapshot=m.c.snapshot_id,
                    key=m.c.group_id,
                    owner=g.c.id,
                    columns={
                        "value": m.c.user_id,
                        "display": sa.func.coalesce(u.c.display_name, u.c.user_name),
                        "type": sa.literal("User"),
                    },
                ),
                f"{aws}:description": Column(g.c.description),
                f"{aws}:entitlements": _assignments_of("GROUP", g.c.id),
            },
            meta,
        ),
    )


def _entitlement_sql() -> ResourceSql:
    ps = t.permission_sets
    acct = t.accounts
    pair = t.provisioned_pairs
    entitlement = _entitlement_id(acct.c.id, ps.c.id)
    grid = ps.join(acct, acct.c.snapshot_id == ps.c.snapshot_id).outerjoin(
        pair,
        sa.and_(
            pair.c.snapshot_id == ps.c.snapshot_id,
            pair.c.account_id == acct.c.id,
            pair.c.permission_set_arn == ps.c.arn,
        ),
    )
    source, meta = _with_versions("Entitlement", grid, entitlement)
    holder = t.assignments.alias("a_holder")
    return ResourceSql(
        name="Entitlement",
        core_schema=urns.ENTITLEMENT,
        source=source,
        snapshot_column=ps.c.snapshot_id,
        id_column=entitlement,
        default_sort=(acct.c.id, ps.c.id),
        attributes=_merge(
            {
                "id": Column(entitlement),
                "displayName": Column(_entitlement_display(ps.c.name, acct.c.id, acct.c.name)),
                "type": Column(sa.literal("permissionSet")),
                "provisioned": Column(pair.c.account_id.is_not(None)),
                "permissionSet.value": Column(ps.c.id),
                "permissionSet.arn": Column(ps.c.arn),
                "permissionSet.name": Column(ps.c.name),
                "permissionSet.description": Column(ps.c.description),
                "permissionSet.sessionDuration": Column(ps.c.session_duration),
                "account.value": Column(acct.c.id),
                "account.name": Column(acct.c.name),
                "account.status": Column(acct.c.status),
                "members": Children(
                    source=holder,
                    snapshot=holder.c.snapshot_id,
                    # One key of both columns: SQLite reads `(a, b) IN (SELECT ...)`
                    # outside a plain WHERE term very slowly (7 s on 50,000 pairs).
                    key=_pair_key(holder.c.account_id, holder.c.permission_set_arn),
                    owner=_pair_key(acct.c.id, ps.c.arn),
                    columns={
                        "value": holder.c.principal_id,
                        "type": sa.case((holder.c.principal_type == "USER", "User"), else_="Group"),
                    },
                ),
            },
            meta,
        ),
    )


def _permission_set_sql() -> ResourceSql:
    ps = t.permission_sets
    source, meta = _with_versions("PermissionSet", ps, ps.c.id)
    return ResourceSql(
        name="PermissionSet",
        core_schema=urns.PERMISSION_SET,
        source=source,
        snapshot_column=ps.c.snapshot_id,
        id_column=ps.c.id,
        default_sort=(ps.c.id,),
        attributes=_merge(
            {
                "id": Column(ps.c.id),
                "name": Column(ps.c.name),
                "arn": Column(ps.c.arn),
                "description": Column(ps.c.description),
                "sessionDuration": Column(ps.c.session_duration),
                "relayState": Column(ps.c.relay_state),
                "inlinePolicy": Column(ps.c.inline_policy),
            },
            meta,
        ),
    )


def _account_sql() -> ResourceSql:
    acct = t.accounts
    source, meta = _with_versions("AwsAccount", acct, acct.c.id)
    return ResourceSql(
        name="AwsAccount",
        core_schema=urns.AWS_ACCOUNT,
        source=source,
        snapshot_column=acct.c.snapshot_id,
        id_column=acct.c.id,
        default_sort=(acct.c.id,),
        attributes=_merge(
            {
                "id": Column(acct.c.id),
                "name": Column(acct.c.name),
                "email": Column(acct.c.email),
                "status": Column(acct.c.status),
            },
            meta,
        ),
    )


RESOURCES: dict[str, ResourceSql] = {
    sql.name: sql
    for sql in (
        _user_sql(),
        _group_sql(),
        _entitlement_sql(),
        _permission_set_sql(),
        _account_sql(),
    )
}
