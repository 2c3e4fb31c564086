"""Served Users (IGA accounts): the Identity Store user, its groups and its access.

Everything the service says of the User type is here: its documents, where
its attributes live as SQL, that clients may write it, and (through
`connector.served.users`) what its digest covers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connector.record_keys import application_entitlement_id
from connector.records import Membership, Provenance, User
from connector.served import provenance
from connector.served.users import USERS as SERVED
from connector.store import last_use, reads
from connector.store import tables as t
from connector.timestamps import rfc3339
from schemas import urns
from scim.resources.common import Held, entitlement_display, held_by, meta, ref
from scim.resources.endpoint import Endpoint
from scim.sql_map import (
    GRANTED_COLUMNS,
    Children,
    Column,
    ResourceSql,
    SqlExpr,
    application_assignments,
    application_of,
    assignments_of,
    entitlement_id,
    external_id,
    table_sql,
    with_provenance,
)

EFFECTIVE_ACCESS = (urns.AWS_USER, "effectiveAccess")

Joined = tuple[Membership, Provenance | None]  # a membership and who made it
LastUsed = Mapping[tuple[str, str], datetime]  # (account id, PermissionSetArn) -> last use


def documents(
    connection: sa.Connection,
    snapshot_id: int,
    ids: Sequence[str],
    base_url: str,
    requested: frozenset[tuple[str, ...]] = frozenset(),
) -> list[dict[str, Any]]:
    """User documents; effective access (returned on request) only when asked for."""
    users = reads.users(connection, snapshot_id, ids)
    groups = reads.group_names_of_users(connection, snapshot_id, ids)
    direct = held_by(connection, snapshot_id, "USER", ids)
    via_groups: dict[str, Held] = {}
    memberships: dict[str, dict[str, Joined]] = {}
    used: dict[str, dict[tuple[str, str], datetime]] = {}
    if EFFECTIVE_ACCESS in requested:
        group_ids = {group_id for user_groups in groups.values() for group_id, _ in user_groups}
        via_groups = held_by(connection, snapshot_id, "GROUP", group_ids)
        memberships = reads.memberships_of_users(connection, snapshot_id, ids)
        used = _last_used(connection, ids, direct, via_groups, groups)
    versions = reads.versions(connection, SERVED.name, ids)
    identity_store_id = reads.identity_store_id(connection, snapshot_id)
    return [
        _document(
            users[user_id],
            groups.get(user_id, []),
            direct.get(user_id, Held()),
            {g: via_groups.get(g, Held()) for g, _ in groups.get(user_id, [])}
            if EFFECTIVE_ACCESS in requested
            else None,
            dict(groups.get(user_id, [])),
            memberships.get(user_id, {}),
            used.get(user_id, {}),
            identity_store_id,
            base_url,
            versions.get(user_id),
        )
        for user_id in ids
        if user_id in users
    ]


def _document(
    user: User,
    groups: list[tuple[str, str]],
    direct: Held,
    via_groups: dict[str, Held] | None,
    group_names: dict[str, str],
    memberships: dict[str, Joined],
    used: LastUsed,
    identity_store_id: str | None,
    base_url: str,
    version: reads.Version | None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schemas": [urns.CORE_USER],
        "id": user.id,
        "externalId": user.external_ids[0].id if user.external_ids else None,
        "userName": user.user_name,
        "name": {
            "formatted": user.formatted_name,
            "familyName": user.family_name,
            "givenName": user.given_name,
            "middleName": user.middle_name,
            "honorificPrefix": user.honorific_prefix,
            "honorificSuffix": user.honorific_suffix,
        },
        "displayName": user.display_name,
        "nickName": user.nick_name,
        "profileUrl": user.profile_url,
        "title": user.title,
        "userType": user.user_type,
        "preferredLanguage": user.preferred_language,
        "locale": user.locale,
        "timezone": user.timezone,
        # Identity Center reports a status only for users it can disable.
        "active": user.user_status != "DISABLED",
        "emails": [{"value": e.value, "type": e.type, "primary": e.primary} for e in user.emails],
        "phoneNumbers": [
            {"value": p.value, "type": p.type, "primary": p.primary} for p in user.phone_numbers
        ],
        "addresses": [
            {
                "formatted": a.formatted,
                "streetAddress": a.street_address,
                "locality": a.locality,
                "region": a.region,
                "postalCode": a.postal_code,
                "country": a.country,
                "type": a.type,
                "primary": a.primary,
            }
            for a in user.addresses
        ],
        "roles": [{"value": r.value, "type": r.type, "primary": r.primary} for r in user.roles],
        "photos": [
            {"value": p.value, "display": p.display, "type": p.type, "primary": p.primary}
            for p in user.photos
        ],
        "groups": [
            {"value": gid, "$ref": ref(base_url, "Group", gid), "display": name, "type": "direct"}
            for gid, name in groups
        ],
        "entitlements": direct.references(),
        "meta": meta(SERVED.name, base_url, user.id, version),
    }
    if user.enterprise:
        document["schemas"].append(urns.ENTERPRISE_USER)
        document[urns.ENTERPRISE_USER] = _enterprise(user.enterprise, base_url)
    document["schemas"].append(urns.AWS_USER)
    document[urns.AWS_USER] = {
        "identityStoreId": identity_store_id,
        "userStatus": user.user_status,
        "website": user.website,
        "birthdate": user.birthdate,
        **provenance.stamps(user),
        "externalIds": [{"issuer": x.issuer, "id": x.id} for x in user.external_ids],
        "effectiveAccess": effective_access(direct, via_groups, group_names, memberships, used)
        if via_groups is not None
        else None,
    }
    return document


def effective_access(
    direct: Held,
    via_groups: dict[str, Held],
    group_names: dict[str, str],
    memberships: dict[str, Joined],
    used: LastUsed,
) -> list[dict[str, Any]]:
    """Every entitlement the user holds (accounts and applications), one entry per route.

    A direct assignment and each granting group are separate entries, so a
    certifier sees every reason the access exists (and revoking one route
    visibly leaves the others), each with who made it and when: the
    assignment, and for a group the user's membership of it. An application
    that requires no assignment is listed only where the user is assigned
    (its Entitlement says every user may use it). Each account entry has the
    user's last use of the access (connector.store.last_use), the same on every
    route: a sign-in names the account and role, not the route; an application
    has none (CloudTrail's portal events name no application).
    """

    def routes(held: Held, via: str, group_id: str | None = None) -> list[dict[str, Any]]:
        route = {
            "via": via,
            "viaGroup": group_id,
            "viaGroupDisplay": group_names.get(group_id) if group_id else None,
            **(_member_since(memberships.get(group_id)) if group_id else {}),
        }
        return [
            *(
                {
                    "value": grant.entitlement_id,
                    "display": entitlement_display(
                        grant.permission_set_name, grant.account_id, grant.account_name
                    ),
                    "type": "permissionSet",
                    "accountId": grant.account_id,
                    "accountName": grant.account_name,
                    "permissionSetArn": grant.permission_set_arn,
                    "permissionSetName": grant.permission_set_name,
                    **route,
                    **provenance.granted(grant.provenance),
                    "lastUsed": rfc3339(used.get((grant.account_id, grant.permission_set_arn))),
                }
                for grant in held.grants
            ),
            *(
                {
                    "value": application_entitlement_id(assigned.application.arn),
                    "display": assigned.application.name,
                    "type": "application",
                    "applicationArn": assigned.application.arn,
                    "applicationName": assigned.application.name,
                    **route,
                    **provenance.granted(assigned.provenance),
                    "lastUsed": None,
                }
                for assigned in held.applications
            ),
        ]

    entries = routes(direct, "direct")
    for group_id, held in via_groups.items():
        entries.extend(routes(held, "group", group_id))
    return sorted(
        entries,
        key=lambda e: (
            e["display"],
            e["value"],
            e["via"],
            e["viaGroupDisplay"] or "",
            e["viaGroup"] or "",
        ),
    )


def _last_used(
    connection: sa.Connection,
    ids: Sequence[str],
    direct: Mapping[str, Held],
    via_groups: Mapping[str, Held],
    groups: Mapping[str, list[tuple[str, str]]],
) -> dict[str, dict[tuple[str, str], datetime]]:
    """user id -> (account id, PermissionSetArn) -> last use, of what each user holds."""
    wanted = {
        (user_id, grant.account_id, grant.permission_set_arn)
        for user_id in ids
        for route in (
            direct.get(user_id, Held()),
            *(via_groups.get(group_id, Held()) for group_id, _ in groups.get(user_id, [])),
        )
        for grant in route.grants
    }
    used: dict[str, dict[tuple[str, str], datetime]] = {}
    for (user_id, account_id, arn), when in last_use.last_used(connection, wanted).items():
        used.setdefault(user_id, {})[(account_id, arn)] = when
    return used


def _member_since(joined: Joined | None) -> dict[str, Any]:
    membership, made = joined if joined else (None, None)
    return provenance.member_since(made, membership)


def _enterprise(extension: Any, base_url: str) -> dict[str, Any]:
    manager = extension.get("manager") or extension.get("Manager")
    manager_id = manager.get("value") if isinstance(manager, dict) else None
    return {
        name: extension.get(name) or extension.get(name[0].upper() + name[1:])
        for name in ("employeeNumber", "costCenter", "organization", "division", "department")
    } | {
        "manager": {"value": manager_id, "$ref": ref(base_url, SERVED.name, manager_id)}
        if manager_id
        else None
    }


# -- where its attributes live, as SQL (scim.sql_map) ------------------------------


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
    m = t.memberships.alias("m_user")
    g = t.groups.alias("g_user")
    eff = _effective_access()
    aws = urns.AWS_USER
    enterprise = urns.ENTERPRISE_USER
    return table_sql(
        SERVED,
        u,
        {
            "id": Column(u.c.id),
            "externalId": external_id("user", u.c.id),
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
            "entitlements": assignments_of("USER", u.c.id),
            f"{enterprise}:employeeNumber": _enterprise_column(u, "employeeNumber"),
            f"{enterprise}:costCenter": _enterprise_column(u, "costCenter"),
            f"{enterprise}:organization": _enterprise_column(u, "organization"),
            f"{enterprise}:division": _enterprise_column(u, "division"),
            f"{enterprise}:department": _enterprise_column(u, "department"),
            f"{enterprise}:manager.value": Column(u.c.enterprise[("manager", "value")].as_string()),
            f"{aws}:identityStoreId": Column(
                sa.select(t.syncs.c.identity_store_id)
                .where(t.syncs.c.id == u.c.snapshot_id)
                .scalar_subquery()
            ),
            f"{aws}:userStatus": Column(u.c.user_status),
            f"{aws}:website": Column(u.c.website),
            f"{aws}:birthdate": Column(u.c.birthdate),
            f"{aws}:createdBy": Column(u.c.created_by),
            f"{aws}:updatedAt": Column(u.c.updated_at),
            f"{aws}:updatedBy": Column(u.c.updated_by),
            f"{aws}:effectiveAccess": Children(
                source=eff,
                snapshot=eff.c.snapshot_id,
                key=eff.c.user_id,
                owner=u.c.id,
                columns={
                    "value": eff.c.entitlement,
                    "type": eff.c.type,
                    "accountId": eff.c.account_id,
                    "permissionSetArn": eff.c.permission_set_arn,
                    "applicationArn": eff.c.application_arn,
                    **{name: eff.c[name] for name in GRANTED_COLUMNS},
                    "lastUsed": eff.c.last_used,
                },
            ),
        },
    )


def _enterprise_column(users: sa.Table, name: str) -> Column:
    return Column(users.c.enterprise[name].as_string())


def _effective_access() -> sa.Subquery:
    """(snapshot, user, entitlement, how it was granted, last use) for every
    assignment a user holds, to an account or an application, direct or via a group."""
    a = t.assignments.alias("a_effective")
    ps = t.permission_sets
    m = t.memberships
    held, granted = with_provenance(a)

    def account_columns(user_id: SqlExpr) -> list[SqlExpr]:
        return [
            entitlement_id(a.c.account_id, ps.c.id).label("entitlement"),
            sa.literal("permissionSet").label("type"),
            a.c.account_id,
            a.c.permission_set_arn,
            sa.cast(sa.null(), sa.String()).label("application_arn"),
            *(column.label(name) for name, column in granted.items()),
            last_use.latest_use(user_id, a.c.account_id, a.c.permission_set_arn, ps.c.name).label(
                "last_used"
            ),
        ]

    of_set = sa.and_(ps.c.snapshot_id == a.c.snapshot_id, ps.c.arn == a.c.permission_set_arn)
    direct = (
        sa.select(
            a.c.snapshot_id,
            a.c.principal_id.label("user_id"),
            *account_columns(a.c.principal_id),
        )
        .select_from(held)
        .join(ps, of_set)
        .where(a.c.principal_type == "USER")
    )
    via_group = (
        sa.select(a.c.snapshot_id, m.c.user_id, *account_columns(m.c.user_id))
        .select_from(held)
        .join(ps, of_set)
        .join(
            m,
            sa.and_(
                m.c.snapshot_id == a.c.snapshot_id,
                a.c.principal_type == "GROUP",
                m.c.group_id == a.c.principal_id,
            ),
        )
    )
    aa, app = application_assignments()
    assigned, made = with_provenance(aa, t.application_assignment_provenance)
    gm = t.memberships.alias("m_application")
    application_columns = [
        app.c.id.label("entitlement"),
        sa.literal("application").label("type"),
        sa.cast(sa.null(), sa.String()).label("account_id"),
        sa.cast(sa.null(), sa.String()).label("permission_set_arn"),
        app.c.arn.label("application_arn"),
        *(column.label(name) for name, column in made.items()),
        sa.cast(sa.null(), sa.DateTime(timezone=True)).label("last_used"),
    ]
    direct_application = (
        sa.select(aa.c.snapshot_id, aa.c.principal_id.label("user_id"), *application_columns)
        .select_from(assigned)
        .join(app, application_of(aa, app))
        .where(aa.c.principal_type == "USER")
    )
    application_via_group = (
        sa.select(aa.c.snapshot_id, gm.c.user_id, *application_columns)
        .select_from(assigned)
        .join(app, application_of(aa, app))
        .join(
            gm,
            sa.and_(
                gm.c.snapshot_id == aa.c.snapshot_id,
                aa.c.principal_type == "GROUP",
                gm.c.group_id == aa.c.principal_id,
            ),
        )
    )
    return sa.union_all(direct, via_group, direct_application, application_via_group).subquery(
        "effective_access"
    )


USERS = Endpoint(SERVED, _user_sql(), documents, writable=True)
