"""What a served resource shows of how an access came to be: one rule for digests and SCIM.

An assignment shows the provenance the connector kept (records.Provenance):
made through this connector (its write operation and the token that asked),
or out of band, by the caller CloudTrail names where the change feed saw it.
A membership shows the same, falling back on the Identity Store's own
`CreatedAt` and `CreatedBy`; a user or group shows the Identity Store's
record of who made and last changed it (`stamps`). The attributes are computed here, as JSON
values, both for the digest that versions a resource and for the document
served, so the two can never disagree.
"""

from __future__ import annotations

from typing import Any

from connector.records import Group, Membership, Provenance, User
from connector.timestamps import rfc3339

THROUGH_CONNECTOR = "connector"
OUT_OF_BAND = "outOfBand"


def granted(provenance: Provenance | None) -> dict[str, Any]:
    """grantedAt, grantedBy, grantedThrough and operation of an assignment."""
    return {
        "grantedAt": rfc3339(provenance.granted_at) if provenance else None,
        "grantedBy": provenance.granted_by if provenance else None,
        "grantedThrough": _through(provenance),
        "operation": provenance.operation_id if provenance else None,
    }


def member_since(provenance: Provenance | None, membership: Membership | None) -> dict[str, Any]:
    """memberSince, memberAddedBy, memberAddedThrough and memberOperation of a
    route through a group: the membership's provenance, else the Identity Store's record."""
    at = provenance.granted_at if provenance else None
    by = provenance.granted_by if provenance else None
    if provenance is None and membership is not None:
        at, by = membership.created_at, membership.created_by
    return {
        "memberSince": rfc3339(at),
        "memberAddedBy": by,
        "memberAddedThrough": _through(provenance),
        "memberOperation": provenance.operation_id if provenance else None,
    }


def stamps(record: User | Group) -> dict[str, Any]:
    """What a user or group shows of the Identity Store's record of who made it and
    who changed it last, and when (its CreatedAt is served as meta.created)."""
    return {
        "createdBy": record.created_by,
        "updatedAt": rfc3339(record.updated_at),
        "updatedBy": record.updated_by,
    }


def _through(provenance: Provenance | None) -> str:
    return THROUGH_CONNECTOR if provenance and provenance.operation_id else OUT_OF_BAND
