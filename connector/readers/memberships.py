"""Members of one group (identitystore ListGroupMemberships).

The Identity Store has no call that lists every membership at once: it costs
one call per group, plus one per further 100 members.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.aws import AwsClients
from connector.records import Membership


def membership_from_aws(item: Mapping[str, Any], group_id: str, user_id: str) -> Membership:
    """A GroupMembership as ListGroupMemberships and ListGroupMembershipsForMember
    return it, with the Identity Store's record of who made it and when."""
    return Membership(
        membership_id=item["MembershipId"],
        group_id=group_id,
        user_id=user_id,
        created_at=item.get("CreatedAt"),
        created_by=item.get("CreatedBy"),
    )


def read_group_memberships(
    aws: AwsClients, identity_store_id: str, group_id: str
) -> list[Membership]:
    return [
        membership_from_aws(item, group_id, item["MemberId"]["UserId"])
        for item in aws.items(
            "identitystore",
            "ListGroupMemberships",
            IdentityStoreId=identity_store_id,
            GroupId=group_id,
        )
        # Only users can be members today; skip any other member kind AWS may add.
        if "UserId" in (item.get("MemberId") or {})
    ]
