"""One user (DescribeUser), and when it was created the groups it joined
(ListGroupMembershipsForMember).

A user created and added to groups at once may have its membership events
delivered first (CloudTrail keeps no order), when the user is not yet served
and its memberships are left out (`memberships.GroupMembers`): reading the new
user's groups with it closes that gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import NotFoundError
from connector.feed.targets import served
from connector.readers.instance import Instance
from connector.readers.memberships import membership_from_aws
from connector.readers.users import ENTERPRISE_EXTENSION, user_from_aws
from connector.records import Membership, User
from connector.store import tables as t
from connector.store import write_through

UserState = tuple[User | None, frozenset[Membership]]


@dataclass(frozen=True)
class UserTarget:
    user_id: str
    with_groups: bool = False

    def reread(self, aws: AwsClients, instance: Instance) -> UserState:
        try:
            item = aws.call(
                "identitystore",
                "DescribeUser",
                IdentityStoreId=instance.identity_store_id,
                UserId=self.user_id,
                Extensions=[ENTERPRISE_EXTENSION],
            )
        except NotFoundError:
            return None, frozenset()
        groups: frozenset[Membership] = frozenset()
        if self.with_groups:
            groups = frozenset(
                membership_from_aws(item, item["GroupId"], self.user_id)
                for item in aws.items(
                    "identitystore",
                    "ListGroupMembershipsForMember",
                    IdentityStoreId=instance.identity_store_id,
                    MemberId={"UserId": self.user_id},
                )
            )
        return user_from_aws(item), groups

    def settled(self, fresh: UserState) -> bool:
        return True

    def apply(
        self, connection: sa.Connection, snapshot_id: int, fresh: UserState, now: datetime
    ) -> int:
        user, groups = fresh
        if user is None:
            if not served(connection, snapshot_id, t.users, self.user_id):
                return 0
            write_through.remove_user(connection, self.user_id, now, snapshot_id)
            return 1
        write_through.put_user(connection, user, now, snapshot_id)
        for membership in sorted(groups, key=lambda m: m.group_id):
            if served(connection, snapshot_id, t.groups, membership.group_id):
                write_through.add_member(connection, membership, now, snapshot_id)
        return 1 + len(groups)
