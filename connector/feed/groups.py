"""One group (DescribeGroup). Its name is re-read: since July 2025 CloudTrail hides
a group's displayName in its events, and an event's payload is never the state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import NotFoundError
from connector.feed.targets import served
from connector.readers.groups import group_from_aws
from connector.readers.instance import Instance
from connector.records import Group
from connector.store import tables as t
from connector.store import write_through


@dataclass(frozen=True)
class GroupTarget:
    group_id: str

    def reread(self, aws: AwsClients, instance: Instance) -> Group | None:
        try:
            item = aws.call(
                "identitystore",
                "DescribeGroup",
                IdentityStoreId=instance.identity_store_id,
                GroupId=self.group_id,
            )
        except NotFoundError:
            return None
        return group_from_aws(item)

    def settled(self, fresh: Group | None) -> bool:
        return True

    def apply(
        self, connection: sa.Connection, snapshot_id: int, fresh: Group | None, now: datetime
    ) -> int:
        if fresh is not None:
            write_through.put_group(connection, fresh, now, snapshot_id)
            return 1
        if not served(connection, snapshot_id, t.groups, self.group_id):
            return 0
        write_through.remove_group(connection, self.group_id, now, snapshot_id)
        return 1
