"""Reading records and their relations from one snapshot, for a page of ids.

The SCIM layer selects and orders ids with SQL (filters, sorting, paging) and
then loads what it shows for just those ids, here, with one query per kind of
data rather than one per resource. `ids=None` means every object of the
snapshot (used to read a whole snapshot back).
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connector.record_keys import APPLICATION_ENTITLEMENT_PREFIX, entitlement_id
from connector.records import (
    Account,
    Application,
    ApplicationAssignment,
    Group,
    Membership,
    PermissionSet,
    Provenance,
    User,
)
from connector.served.served_type import RESOURCE_PREFIX
from connector.store import tables as t
from connector.store.codec import (
    application_from_row,
    group_from_row,
    membership_from_row,
    permission_set_from_row,
    user_from_row,
)

# Keeps IN lists within SQLite's and PostgreSQL's parameter limits.
_CHUNK = 900


@dataclass(frozen=True)
class Version:
    created_at: datetime
    last_modified_at: datetime
    digest: str


@dataclass(frozen=True)
class Grant:
    """An account assignment as shown on a principal: what, where, and names."""

    entitlement_id: str
    account_id: str
    account_name: str | None
    permission_set_arn: str
    permission_set_id: str
    permission_set_name: str
    principal_type: str
    principal_id: str
    provenance: Provenance | None = None  # who made it, where the connector knows


@dataclass(frozen=True)
class ApplicationGrant:
    """An application assignment as shown on a principal: the application, by name."""

    application: Application
    provenance: Provenance | None = None  # who made it, where the connector knows


def _chunks(ids: Collection[str] | None) -> Iterable[Collection[str] | None]:
    if ids is None:
        yield None
        return
    items = list(ids)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


@functools.cache
def _rows_statement(
    table_name: str, column_name: str, order: tuple[str, ...], by_ids: bool
) -> sa.Select[Any]:
    """Built once per shape: these run on every request, and building an
    SQLAlchemy statement costs more than SQLite takes to answer it."""
    table = t.metadata.tables[table_name]
    query = sa.select(table).where(table.c.snapshot_id == sa.bindparam("snapshot_id"))
    if by_ids:
        query = query.where(table.c[column_name].in_(sa.bindparam("ids", expanding=True)))
    return query.order_by(*(table.c[name] for name in order))


def _rows(
    connection: sa.Connection,
    table: sa.Table,
    snapshot_id: int,
    column: sa.ColumnElement[Any],
    ids: Collection[str] | None,
    *order: sa.ColumnElement[Any],
) -> list[sa.Row[Any]]:
    found: list[sa.Row[Any]] = []
    for chunk in _chunks(ids):
        statement = _rows_statement(
            table.name, column.key or "", tuple(c.key or "" for c in order), chunk is not None
        )
        parameters: dict[str, Any] = {"snapshot_id": snapshot_id}
        if chunk is not None:
            parameters["ids"] = list(chunk)
        found.extend(connection.execute(statement, parameters))
    return found


def users(
    connection: sa.Connection, snapshot_id: int, ids: Collection[str] | None
) -> dict[str, User]:
    children: dict[str, defaultdict[str, list[Any]]] = {}
    for name, table in (
        ("emails", t.user_emails),
        ("phone_numbers", t.user_phone_numbers),
        ("addresses", t.user_addresses),
    ):
        children[name] = defaultdict(list)
        for row in _rows(connection, table, snapshot_id, table.c.user_id, ids, table.c.position):
            children[name][row.user_id].append(row)
    external = _external_ids(connection, snapshot_id, "user", ids)
    return {
        row.id: user_from_row(
            row._mapping,
            {
                "emails": children["emails"][row.id],
                "phone_numbers": children["phone_numbers"][row.id],
                "addresses": children["addresses"][row.id],
                "external_ids": external[row.id],
            },
        )
        for row in _rows(connection, t.users, snapshot_id, t.users.c.id, ids, t.users.c.id)
    }


def groups(
    connection: sa.Connection, snapshot_id: int, ids: Collection[str] | None
) -> dict[str, Group]:
    external = _external_ids(connection, snapshot_id, "group", ids)
    return {
        row.id: group_from_row(row._mapping, external[row.id])
        for row in _rows(connection, t.groups, snapshot_id, t.groups.c.id, ids, t.groups.c.id)
    }


def _external_ids(
    connection: sa.Connection, snapshot_id: int, owner_type: str, ids: Collection[str] | None
) -> defaultdict[str, list[Any]]:
    found: defaultdict[str, list[Any]] = defaultdict(list)
    table = t.external_ids
    for row in _rows(connection, table, snapshot_id, table.c.owner_id, ids, table.c.position):
        if row.owner_type == owner_type:
            found[row.owner_id].append(row)
    return found


def permission_sets(
    connection: sa.Connection, snapshot_id: int, ids: Collection[str] | None
) -> dict[str, PermissionSet]:
    """Permission sets by their served id ("ps-...")."""
    table = t.permission_sets
    return {
        row.id: permission_set_from_row(row._mapping)
        for row in _rows(connection, table, snapshot_id, table.c.id, ids, table.c.name)
    }


def accounts(
    connection: sa.Connection, snapshot_id: int, ids: Collection[str] | None
) -> dict[str, Account]:
    table = t.accounts
    return {
        row.id: Account(**{f.name: getattr(row, f.name) for f in dataclasses.fields(Account)})
        for row in _rows(connection, table, snapshot_id, table.c.id, ids, table.c.id)
    }


def applications(
    connection: sa.Connection, snapshot_id: int, ids: Collection[str] | None
) -> dict[str, Application]:
    """Applications by the entitlement id they are served under ("app.apl-...")."""
    table = t.applications
    return {
        row.id: application_from_row(row._mapping)
        for row in _rows(connection, table, snapshot_id, table.c.id, ids, table.c.name)
    }


def application_assignments(
    connection: sa.Connection, snapshot_id: int, application_arns: Collection[str] | None
) -> list[ApplicationAssignment]:
    """Assignments of the applications (all of them for None)."""
    table = t.application_assignments
    return [
        ApplicationAssignment(row.application_arn, row.principal_type, row.principal_id)
        for row in _rows(
            connection,
            table,
            snapshot_id,
            table.c.application_arn,
            application_arns,
            table.c.application_arn,
            table.c.principal_type,
            table.c.principal_id,
        )
    ]


def group_names_of_users(
    connection: sa.Connection, snapshot_id: int, user_ids: Collection[str]
) -> dict[str, list[tuple[str, str]]]:
    """user id -> [(group id, group name)], ordered by group name."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for chunk in _chunks(user_ids):
        assert chunk is not None
        parameters = {"snapshot_id": snapshot_id, "ids": list(chunk)}
        for row in connection.execute(_GROUP_NAMES_OF_USERS, parameters):
            found[row.user_id].append((row.group_id, row.display_name))
    return found


_GROUP_NAMES_OF_USERS = (
    sa.select(t.memberships.c.user_id, t.memberships.c.group_id, t.groups.c.display_name)
    .join(
        t.groups,
        sa.and_(
            t.groups.c.snapshot_id == t.memberships.c.snapshot_id,
            t.groups.c.id == t.memberships.c.group_id,
        ),
    )
    .where(
        t.memberships.c.snapshot_id == sa.bindparam("snapshot_id"),
        t.memberships.c.user_id.in_(sa.bindparam("ids", expanding=True)),
    )
    .order_by(t.groups.c.display_name, t.groups.c.id)
)


def members_of_groups(
    connection: sa.Connection, snapshot_id: int, group_ids: Collection[str]
) -> dict[str, list[tuple[str, str]]]:
    """group id -> [(user id, display name or userName)], ordered by name."""
    m, u = t.memberships, t.users
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    display = sa.func.coalesce(u.c.display_name, u.c.user_name)
    for chunk in _chunks(group_ids):
        assert chunk is not None
        query = (
            sa.select(m.c.group_id, m.c.user_id, display.label("display"))
            .join(u, sa.and_(u.c.snapshot_id == m.c.snapshot_id, u.c.id == m.c.user_id))
            .where(m.c.snapshot_id == snapshot_id, m.c.group_id.in_(chunk))
            .order_by(display, m.c.user_id)
        )
        for row in connection.execute(query):
            found[row.group_id].append((row.user_id, row.display))
    return found


def _grant_query(snapshot_id: int | sa.BindParameter[int]) -> sa.Select[Any]:
    a, ps, acct, made = t.assignments, t.permission_sets, t.accounts, t.assignment_provenance
    return (
        sa.select(
            a.c.account_id,
            acct.c.name.label("account_name"),
            a.c.permission_set_arn,
            ps.c.id.label("permission_set_id"),
            ps.c.name.label("permission_set_name"),
            a.c.principal_type,
            a.c.principal_id,
            made.c.granted_at,
            made.c.granted_by,
            made.c.operation_id,
        )
        .join(ps, sa.and_(ps.c.snapshot_id == a.c.snapshot_id, ps.c.arn == a.c.permission_set_arn))
        .outerjoin(
            acct, sa.and_(acct.c.snapshot_id == a.c.snapshot_id, acct.c.id == a.c.account_id)
        )
        .outerjoin(
            made,
            sa.and_(
                made.c.account_id == a.c.account_id,
                made.c.permission_set_arn == a.c.permission_set_arn,
                made.c.principal_type == a.c.principal_type,
                made.c.principal_id == a.c.principal_id,
            ),
        )
        .where(a.c.snapshot_id == snapshot_id)
        .order_by(ps.c.name, acct.c.name, a.c.account_id)
    )


_GRANTS_OF_PRINCIPALS = _grant_query(sa.bindparam("snapshot_id")).where(
    t.assignments.c.principal_type == sa.bindparam("principal_type"),
    t.assignments.c.principal_id.in_(sa.bindparam("ids", expanding=True)),
)


def _grant(row: sa.Row[Any]) -> Grant:
    return Grant(
        entitlement_id=entitlement_id(row.account_id, row.permission_set_arn),
        account_id=row.account_id,
        account_name=row.account_name,
        permission_set_arn=row.permission_set_arn,
        permission_set_id=row.permission_set_id,
        permission_set_name=row.permission_set_name,
        principal_type=row.principal_type,
        principal_id=row.principal_id,
        provenance=_provenance(row),
    )


def _provenance(row: sa.Row[Any]) -> Provenance | None:
    """A provenance row joined in; none joined: nothing is known."""
    if row.granted_at is None and row.granted_by is None and row.operation_id is None:
        return None
    return Provenance(row.granted_at, row.granted_by, row.operation_id)


def memberships_of_users(
    connection: sa.Connection, snapshot_id: int, user_ids: Collection[str]
) -> dict[str, dict[str, tuple[Membership, Provenance | None]]]:
    """user id -> group id -> the membership and what is known of who made it."""
    m, made = t.memberships, t.membership_provenance
    query = (
        sa.select(m, made.c.granted_at, made.c.granted_by, made.c.operation_id)
        .outerjoin(made, sa.and_(made.c.group_id == m.c.group_id, made.c.user_id == m.c.user_id))
        .where(m.c.snapshot_id == snapshot_id)
    )
    found: dict[str, dict[str, tuple[Membership, Provenance | None]]] = defaultdict(dict)
    for chunk in _chunks(user_ids):
        assert chunk is not None
        for row in connection.execute(query.where(m.c.user_id.in_(chunk))):
            found[row.user_id][row.group_id] = (membership_from_row(row), _provenance(row))
    return found


def grants_of_principals(
    connection: sa.Connection, snapshot_id: int, principal_type: str, ids: Collection[str]
) -> dict[str, list[Grant]]:
    """principal id -> its direct account assignments."""
    found: dict[str, list[Grant]] = defaultdict(list)
    for chunk in _chunks(ids):
        assert chunk is not None
        parameters = {
            "snapshot_id": snapshot_id,
            "principal_type": principal_type,
            "ids": list(chunk),
        }
        for row in connection.execute(_GRANTS_OF_PRINCIPALS, parameters):
            found[row.principal_id].append(_grant(row))
    return found


def applications_of_principals(
    connection: sa.Connection, snapshot_id: int, principal_type: str, ids: Collection[str]
) -> dict[str, list[ApplicationGrant]]:
    """principal id -> the applications it is assigned to directly, by name, with
    who assigned each where known."""
    a, app = t.application_assignments, t.applications
    made = t.application_assignment_provenance
    found: dict[str, list[ApplicationGrant]] = defaultdict(list)
    for chunk in _chunks(ids):
        assert chunk is not None
        query = (
            sa.select(
                a.c.principal_id, app, made.c.granted_at, made.c.granted_by, made.c.operation_id
            )
            .join(
                app,
                sa.and_(app.c.snapshot_id == a.c.snapshot_id, app.c.arn == a.c.application_arn),
            )
            .outerjoin(
                made,
                sa.and_(
                    made.c.application_arn == a.c.application_arn,
                    made.c.principal_type == a.c.principal_type,
                    made.c.principal_id == a.c.principal_id,
                ),
            )
            .where(
                a.c.snapshot_id == snapshot_id,
                a.c.principal_type == principal_type,
                a.c.principal_id.in_(chunk),
            )
            .order_by(app.c.name, app.c.arn)
        )
        for row in connection.execute(query):
            found[row.principal_id].append(
                ApplicationGrant(application_from_row(row._mapping), _provenance(row))
            )
    return found


def holders_of_pairs(
    connection: sa.Connection, snapshot_id: int, pairs: Collection[tuple[str, str]]
) -> dict[tuple[str, str], list[Grant]]:
    """(account id, permission set ARN) -> the assignments that hold it."""
    a = t.assignments
    found: dict[tuple[str, str], list[Grant]] = defaultdict(list)
    accounts_wanted = {account for account, _ in pairs}
    for chunk in _chunks(accounts_wanted):
        assert chunk is not None
        for row in connection.execute(_grant_query(snapshot_id).where(a.c.account_id.in_(chunk))):
            key = (row.account_id, row.permission_set_arn)
            if key in pairs:
                found[key].append(_grant(row))
    return found


def provisioned(
    connection: sa.Connection, snapshot_id: int, pairs: Collection[tuple[str, str]]
) -> set[tuple[str, str]]:
    table = t.provisioned_pairs
    wanted = set(pairs)
    found = set()
    for chunk in _chunks({account for account, _ in wanted}):
        assert chunk is not None
        query = sa.select(table.c.account_id, table.c.permission_set_arn).where(
            table.c.snapshot_id == snapshot_id, table.c.account_id.in_(chunk)
        )
        found |= {(r.account_id, r.permission_set_arn) for r in connection.execute(query)} & wanted
    return found


_VERSIONS = sa.select(t.object_versions).where(
    t.object_versions.c.object_type == sa.bindparam("object_type"),
    t.object_versions.c.object_id.in_(sa.bindparam("ids", expanding=True)),
)


def versions(
    connection: sa.Connection, resource_type: str, ids: Collection[str]
) -> dict[str, Version]:
    """Change-record facts of served resources: created, last modified, digest."""
    found: dict[str, Version] = {}
    for chunk in _chunks(ids):
        assert chunk is not None
        parameters = {"object_type": f"{RESOURCE_PREFIX}{resource_type}", "ids": list(chunk)}
        for row in connection.execute(_VERSIONS, parameters):
            found[row.object_id] = Version(row.created_at, row.last_modified_at, row.content_hash)
    return found


_IDENTITY_STORES: dict[tuple[str, int], str | None] = {}


def identity_store_id(connection: sa.Connection, snapshot_id: int) -> str | None:
    """The identity store a snapshot was read from (it never changes: cached per
    store and snapshot, since one process may open several stores)."""
    key = (connection.engine.url.render_as_string(hide_password=True), snapshot_id)
    if key not in _IDENTITY_STORES:
        _IDENTITY_STORES[key] = connection.execute(
            sa.select(t.syncs.c.identity_store_id).where(t.syncs.c.id == snapshot_id)
        ).scalar_one_or_none()
    return _IDENTITY_STORES[key]


@dataclass(frozen=True)
class AccountEntitlement:
    """What an account entitlement id ("<account>.ps-...") names."""

    account_id: str
    permission_set_arn: str


@dataclass(frozen=True)
class ApplicationEntitlement:
    """What an application entitlement id ("app.apl-...") names."""

    application_arn: str


EntitlementTarget = AccountEntitlement | ApplicationEntitlement


def entitlement_targets(
    connection: sa.Connection, snapshot_id: int, ids: Collection[str]
) -> dict[str, EntitlementTarget]:
    """Entitlement id -> what it names, for the ids the snapshot serves (either kind,
    told apart by `record_keys`' prefix)."""
    applications = {i for i in ids if i.startswith(APPLICATION_ENTITLEMENT_PREFIX)}
    found: dict[str, EntitlementTarget] = {
        row.id: ApplicationEntitlement(row.arn)
        for row in connection.execute(
            sa.select(t.applications.c.id, t.applications.c.arn).where(
                t.applications.c.snapshot_id == snapshot_id, t.applications.c.id.in_(applications)
            )
        )
    }
    wanted = {i: i.partition(".") for i in ids if i not in applications}
    accounts = {account for account, _, _ in wanted.values()}
    sets = {ps_id for _, _, ps_id in wanted.values()}
    known_accounts = set(
        connection.execute(
            sa.select(t.accounts.c.id).where(
                t.accounts.c.snapshot_id == snapshot_id, t.accounts.c.id.in_(accounts)
            )
        ).scalars()
    )
    arns: dict[str, str] = dict(
        connection.execute(
            sa.select(t.permission_sets.c.id, t.permission_sets.c.arn).where(
                t.permission_sets.c.snapshot_id == snapshot_id, t.permission_sets.c.id.in_(sets)
            )
        ).all()  # type: ignore[arg-type]
    )
    found.update(
        (entitlement, AccountEntitlement(account, arns[ps_id]))
        for entitlement, (account, _, ps_id) in wanted.items()
        if account in known_accounts and ps_id in arns
    )
    return found


def existing_ids(
    connection: sa.Connection, snapshot_id: int, table: sa.Table, ids: Collection[str]
) -> set[str]:
    """Which of `ids` the snapshot holds in `table` (users or groups)."""
    found: set[str] = set()
    for chunk in _chunks(ids):
        assert chunk is not None
        found |= set(
            connection.execute(
                sa.select(table.c.id).where(
                    table.c.snapshot_id == snapshot_id, table.c.id.in_(chunk)
                )
            ).scalars()
        )
    return found


def assignment_pairs(
    connection: sa.Connection, snapshot_id: int, principal_type: str, principal_id: str
) -> list[tuple[str, str]]:
    """(account id, permission set ARN) of the principal's direct assignments."""
    a = t.assignments
    rows = connection.execute(
        sa.select(a.c.account_id, a.c.permission_set_arn).where(
            a.c.snapshot_id == snapshot_id,
            a.c.principal_type == principal_type,
            a.c.principal_id == principal_id,
        )
    )
    return [(row.account_id, row.permission_set_arn) for row in rows]


def application_assignment_arns(
    connection: sa.Connection, snapshot_id: int, principal_type: str, principal_id: str
) -> list[str]:
    """ARNs of the applications the principal is assigned to directly."""
    a = t.application_assignments
    return list(
        connection.execute(
            sa.select(a.c.application_arn).where(
                a.c.snapshot_id == snapshot_id,
                a.c.principal_type == principal_type,
                a.c.principal_id == principal_id,
            )
        ).scalars()
    )


def application_names(connection: sa.Connection, snapshot_id: int) -> dict[str, tuple[str, str]]:
    """Application ARN -> (name, provider ARN), of the applications the snapshot holds."""
    a = t.applications
    return {
        row.arn: (row.name, row.provider_arn)
        for row in connection.execute(
            sa.select(a.c.arn, a.c.name, a.c.provider_arn).where(a.c.snapshot_id == snapshot_id)
        )
    }


def names(connection: sa.Connection, snapshot_id: int, table: sa.Table) -> dict[str, str]:
    """Id (account id, permission set ARN) -> name, of the accounts or permission
    sets the snapshot holds; unnamed ones are left out."""
    key = table.c.arn if "arn" in table.c else table.c.id
    return {
        row[0]: row[1]
        for row in connection.execute(
            sa.select(key, table.c.name).where(table.c.snapshot_id == snapshot_id)
        )
        if row[1]
    }
