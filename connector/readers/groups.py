"""Identity Store groups (identitystore ListGroups)."""

from __future__ import annotations

from typing import Any

from connector.aws import AwsClients
from connector.readers.users import external_ids_from_aws
from connector.records import Group


def read_groups(aws: AwsClients, identity_store_id: str) -> list[Group]:
    return [
        group_from_aws(item)
        for item in aws.items("identitystore", "ListGroups", IdentityStoreId=identity_store_id)
    ]


def group_from_aws(item: dict[str, Any]) -> Group:
    return Group(
        id=item["GroupId"],
        display_name=item.get("DisplayName") or "",
        description=item.get("Description"),
        external_ids=external_ids_from_aws(item.get("ExternalIds")),
        created_at=item.get("CreatedAt"),
        updated_at=item.get("UpdatedAt"),
        created_by=item.get("CreatedBy"),
        updated_by=item.get("UpdatedBy"),
        revision=item.get("Revision"),
    )
