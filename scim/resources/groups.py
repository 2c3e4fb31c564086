"""Served Groups: the Identity Store group, its members and its own access.

Its documents, its SQL map, that clients may write it, and (through
`connector.served.groups`) what its digest covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connector.served import provenance
from connector.served.groups import GROUPS as SERVED
from connector.store import reads
from connector.store import tables as t
from schemas import urns
from scim.resources.common import Held, held_by, meta, ref
from scim.resources.endpoint import Endpoint
from scim.sql_map import (
    Children,
    Column,
    ResourceSql,
    assignments_of,
    external_id,
    table_sql,
)


def documents(
    connection: sa.Connection,
    snapshot_id: int,
    ids: Sequence[str],
    base_url: str,
    requested: frozenset[tuple[str, ...]] = frozenset(),
) -> list[dict[str, Any]]:
    groups = reads.groups(connection, snapshot_id, ids)
    members = reads.members_of_groups(connection, snapshot_id, ids)
    held = held_by(connection, snapshot_id, "GROUP", ids)
    versions = reads.versions(connection, SERVED.name, ids)
    documents = []
    for group_id in ids:
        group = groups.get(group_id)
        if group is None:
            continue
        documents.append(
            {
                "schemas": [urns.CORE_GROUP, urns.AWS_GROUP],
                "id": group.id,
                "externalId": group.external_ids[0].id if group.external_ids else None,
                "displayName": group.display_name,
                "members": [
                    {
                        "value": user_id,
                        "$ref": ref(base_url, "User", user_id),
                        "display": display,
                        "type": "User",
                    }
                    for user_id, display in members.get(group_id, [])
                ],
                urns.AWS_GROUP: {
                    "description": group.description,
                    **provenance.stamps(group),
                    "externalIds": [{"issuer": x.issuer, "id": x.id} for x in group.external_ids],
                    "entitlements": held.get(group_id, Held()).references(),
                },
                "meta": meta(SERVED.name, base_url, group.id, versions.get(group.id)),
            }
        )
    return documents


def _group_sql() -> ResourceSql:
    g = t.groups
    m = t.memberships.alias("m_group")
    u = t.users.alias("u_group")
    aws = urns.AWS_GROUP
    return table_sql(
        SERVED,
        g,
        {
            "id": Column(g.c.id),
            "externalId": external_id("group", g.c.id),
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
            f"{aws}:createdBy": Column(g.c.created_by),
            f"{aws}:updatedAt": Column(g.c.updated_at),
            f"{aws}:updatedBy": Column(g.c.updated_by),
            f"{aws}:entitlements": assignments_of("GROUP", g.c.id),
        },
    )


GROUPS = Endpoint(SERVED, _group_sql(), documents, writable=True)
