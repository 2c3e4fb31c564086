"""Members of one group (identitystore ListGroupMemberships).

The Identity Store has no call that lists every membership at once: it costs
one call per group, plus one per further 100 members.
"""

from __future__ import annotations

from connector.aws import AwsClients
from connector.records import Membership


def read_group_memberships(
    aws: AwsClients, identity_store_id: str, group_id: str
) -> list[Membership]:
    return [
        Membership(
            membership_id=item["MembershipId"],
            group_id=group_id,
            user_id=item["MemberId"]["UserId"],
        )
        for item in aws.items(
            "identitystore",
            "ListGroupMemberships",
            IdentityStoreId=identity_store_id,
            GroupId=group_id,
        )
        # Only users can be members today; skip any other member kind AWS may add.
        if "UserId" in (item.get("MemberId") or {})
    ]
