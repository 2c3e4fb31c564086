"""Group resources: the Identity Store group, its members and its own access."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connector.store import reads
from schemas import urns
from scim.resources.common import entitlement_display, meta, ref


def documents(
    connection: sa.Connection,
    snapshot_id: int,
    ids: Sequence[str],
    base_url: str,
    requested: frozenset[tuple[str, ...]] = frozenset(),
) -> list[dict[str, Any]]:
    groups = reads.groups(connection, snapshot_id, ids)
    members = reads.members_of_groups(connection, snapshot_id, ids)
    grants = reads.grants_of_principals(connection, snapshot_id, "GROUP", ids)
    versions = reads.versions(connection, "Group", ids)
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
                        "$ref": ref(base_url, "Users", user_id),
                        "display": display,
                        "type": "User",
                    }
                    for user_id, display in members.get(group_id, [])
                ],
                urns.AWS_GROUP: {
                    "description": group.description,
                    "externalIds": [{"issuer": x.issuer, "id": x.id} for x in group.external_ids],
                    "entitlements": [
                        {
                            "value": grant.entitlement_id,
                            "display": entitlement_display(
                                grant.permission_set_name, grant.account_id, grant.account_name
                            ),
                            "type": "permissionSet",
                        }
                        for grant in grants.get(group_id, [])
                    ],
                },
                "meta": meta("Group", ref(base_url, "Groups", group.id), versions.get(group.id)),
            }
        )
    return documents
