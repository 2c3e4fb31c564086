"""User resources (IGA accounts): the Identity Store user, its groups and its access."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connector.records import User
from connector.store import reads
from connector.store.reads import Grant
from schemas import urns
from scim.resources.common import entitlement_display, meta, ref

EFFECTIVE_ACCESS = (urns.AWS_USER, "effectiveAccess")


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
    direct = reads.grants_of_principals(connection, snapshot_id, "USER", ids)
    via_groups: dict[str, list[Grant]] = {}
    if EFFECTIVE_ACCESS in requested:
        group_ids = {group_id for user_groups in groups.values() for group_id, _ in user_groups}
        via_groups = reads.grants_of_principals(connection, snapshot_id, "GROUP", group_ids)
    versions = reads.versions(connection, "User", ids)
    identity_store_id = reads.identity_store_id(connection, snapshot_id)
    return [
        _document(
            users[user_id],
            groups.get(user_id, []),
            direct.get(user_id, []),
            {g: via_groups.get(g, []) for g, _ in groups.get(user_id, [])}
            if EFFECTIVE_ACCESS in requested
            else None,
            dict(groups.get(user_id, [])),
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
    direct: list[Grant],
    via_groups: dict[str, list[Grant]] | None,
    group_names: dict[str, str],
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
        "groups": [
            {"value": gid, "$ref": ref(base_url, "Groups", gid), "display": name, "type": "direct"}
            for gid, name in groups
        ],
        "entitlements": [
            {
                "value": grant.entitlement_id,
                "display": entitlement_display(
                    grant.permission_set_name, grant.account_id, grant.account_name
                ),
                "type": "permissionSet",
            }
            for grant in direct
        ],
        "meta": meta("User", ref(base_url, "Users", user.id), version),
    }
    if user.enterprise:
        document["schemas"].append(urns.ENTERPRISE_USER)
        document[urns.ENTERPRISE_USER] = _enterprise(user.enterprise, base_url)
    document["schemas"].append(urns.AWS_USER)
    document[urns.AWS_USER] = {
        "identityStoreId": identity_store_id,
        "userStatus": user.user_status,
        "externalIds": [{"issuer": x.issuer, "id": x.id} for x in user.external_ids],
        "effectiveAccess": effective_access(direct, via_groups, group_names)
        if via_groups is not None
        else None,
    }
    return document


def effective_access(
    direct: list[Grant], via_groups: dict[str, list[Grant]], group_names: dict[str, str]
) -> list[dict[str, Any]]:
    """Every (account, permission set) the user holds, one entry per route.

    A direct assignment and each granting group are separate entries, so a
    certifier sees every reason the access exists (and revoking one route
    visibly leaves the others).
    """
    entries: list[dict[str, Any]] = []

    def entry(grant: Grant, via: str, group_id: str | None = None) -> dict[str, Any]:
        return {
            "value": grant.entitlement_id,
            "display": entitlement_display(
                grant.permission_set_name, grant.account_id, grant.account_name
            ),
            "accountId": grant.account_id,
            "accountName": grant.account_name,
            "permissionSetArn": grant.permission_set_arn,
            "permissionSetName": grant.permission_set_name,
            "via": via,
            "viaGroup": group_id,
            "viaGroupDisplay": group_names.get(group_id) if group_id else None,
        }

    entries.extend(entry(grant, "direct") for grant in direct)
    for group_id, grants in via_groups.items():
        entries.extend(entry(grant, "group", group_id) for grant in grants)
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


def _enterprise(extension: Any, base_url: str) -> dict[str, Any]:
    manager = extension.get("manager") or extension.get("Manager")
    manager_id = manager.get("value") if isinstance(manager, dict) else None
    return {
        name: extension.get(name) or extension.get(name[0].upper() + name[1:])
        for name in ("employeeNumber", "costCenter", "organization", "division", "department")
    } | {
        "manager": {"value": manager_id, "$ref": ref(base_url, "Users", manager_id)}
        if manager_id
        else None
    }
