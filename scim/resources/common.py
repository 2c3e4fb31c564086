"""What every served resource shares: meta (RFC 7643 §3.1) and references."""

from __future__ import annotations

from typing import Any

from connector.store.reads import Version
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
