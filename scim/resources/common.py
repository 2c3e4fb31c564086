"""What every served resource shares: meta (RFC 7643 §3.1) and references."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connector.record_keys import application_entitlement_id
from connector.records import Provenance
from connector.served import provenance
from connector.store import reads
from connector.store.reads import ApplicationGrant, Grant, Version
from connector.timestamps import rfc3339
from schemas.definitions import RESOURCE_TYPES


def etag(version: Version | None) -> str | None:
    """A weak ETag (RFC 7644 §3.14): the digest of everything the resource shows."""
    return f'W/"{version.digest[:32]}"' if version else None


def meta(
    resource_type: str, base_url: str, resource_id: str, version: Version | None
) -> dict[str, Any]:
    return {
        "resourceType": resource_type,
        "created": rfc3339(version.created_at) if version else None,
        "lastModified": rfc3339(version.last_modified_at) if version else None,
        "location": ref(base_url, resource_type, resource_id),
        "version": etag(version),
    }


# Documents rendered ahead of a request (scim.rendering) carry this in place of
# the service's base URL, which only a request knows.
BASE_PLACEHOLDER = "urn:identity-center-connector:base-url"


_PATHS = {name: definition.endpoint for name, definition in RESOURCE_TYPES.items()}


def ref(base_url: str, resource_type: str, resource_id: str) -> str:
    """A served resource's URL (`$ref`, `meta.location`): under its type's published path."""
    return f"{base_url}{_PATHS[resource_type]}/{resource_id}"


def entitlement_display(permission_set_name: str, account_id: str, account_name: str | None) -> str:
    """ "ReadOnly @ prod-payments (111122223333)"; the SQL twin is in scim.sql_map."""
    if account_name is None:
        return f"{permission_set_name} @ {account_id}"
    return f"{permission_set_name} @ {account_name} ({account_id})"


@dataclass(frozen=True)
class Held:
    """What a principal is assigned directly: account assignments and applications."""

    grants: list[Grant] = field(default_factory=list)
    applications: list[ApplicationGrant] = field(default_factory=list)

    def references(self) -> list[dict[str, Any]]:
        """Its `entitlements` (a user's, a group's): both kinds, each with its `type`."""
        return [
            *(
                {
                    "value": grant.entitlement_id,
                    "display": entitlement_display(
                        grant.permission_set_name, grant.account_id, grant.account_name
                    ),
                    "type": "permissionSet",
                }
                for grant in self.grants
            ),
            *(
                {
                    "value": application_entitlement_id(held.application.arn),
                    "display": held.application.name,
                    "type": "application",
                }
                for held in self.applications
            ),
        ]


def held_by(
    connection: sa.Connection, snapshot_id: int, principal_type: str, ids: Sequence[str] | set[str]
) -> dict[str, Held]:
    """principal id -> what it is assigned directly (principals with nothing left out)."""
    grants = reads.grants_of_principals(connection, snapshot_id, principal_type, ids)
    applications = reads.applications_of_principals(connection, snapshot_id, principal_type, ids)
    return {
        i: Held(grants.get(i, []), applications.get(i, []))
        for i in ids
        if i in grants or i in applications
    }


class Holders:
    """The principals holding a page of entitlements, their names read at once."""

    def __init__(
        self, connection: sa.Connection, snapshot_id: int, principals: Iterable[tuple[str, str]]
    ) -> None:
        wanted = list(principals)
        self._users = reads.users(connection, snapshot_id, {i for k, i in wanted if k == "USER"})
        self._groups = reads.groups(connection, snapshot_id, {i for k, i in wanted if k == "GROUP"})

    def member(
        self,
        base_url: str,
        principal_type: str,
        principal_id: str,
        made: Provenance | None,
        last_used: datetime | None,
    ) -> dict[str, Any]:
        """An entitlement's member: the holder by name (a user's displayName, else
        userName), who granted it when, where known, and when it was last used."""
        if principal_type == "USER":
            user = self._users.get(principal_id)
            display = (user.display_name or user.user_name) if user else None
            kind = "User"
        else:
            group = self._groups.get(principal_id)
            display = group.display_name if group else None
            kind = "Group"
        return {
            "value": principal_id,
            "display": display,
            "type": kind,
            "$ref": ref(base_url, kind, principal_id),
            **provenance.granted(made),
            "lastUsed": rfc3339(last_used),
        }
