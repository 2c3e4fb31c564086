"""The members of one group (ListGroupMemberships).

A membership event names its group (CreateGroupMembership, the console's
AddMemberToGroup and RemoveMemberFromGroup), except DeleteGroupMembership,
which names only the membership id: the feed finds its group in the served
snapshot (`group_of_membership`) before AWS forgets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import NotFoundError
from connector.readers.instance import Instance
from connector.readers.memberships import read_group_memberships
from connector.records import Membership
from connector.store import tables as t
from connector.store import write_through


@dataclass(frozen=True)
class GroupMembers:
    group_id: str

    def reread(self, aws: AwsClients, instance: Instance) -> frozenset[Membership]:
        try:
            found = read_group_memberships(aws, instance.identity_store_id, self.group_id)
        except NotFoundError:
            return frozenset()  # the group is gone: so are its memberships
        return frozenset(found)

    def settled(self, fresh: frozenset[Membership]) -> bool:
        return True

    def apply(
        self,
        connection: sa.Connection,
        snapshot_id: int,
        fresh: frozenset[Membership],
        now: datetime,
    ) -> int:
        stored = {
            row.user_id
            for row in connection.execute(
                sa.select(t.memberships.c.user_id)
                .where(t.memberships.c.snapshot_id == snapshot_id)
                .where(t.memberships.c.group_id == self.group_id)
            )
        }
        members = {m.user_id: m for m in fresh}
        users = _served_users(connection, snapshot_id, set(members))
        added = [m for u, m in sorted(members.items()) if u not in stored and u in users]
        removed = sorted(stored - set(members))
        for membership in added:
            write_through.add_member(connection, membership, now, snapshot_id)
        for user_id in removed:
            write_through.remove_member(connection, self.group_id, user_id, now, snapshot_id)
        return len(added) + len(removed)


def group_of_membership(
    connection: sa.Connection, snapshot_id: int, membership_id: str
) -> str | None:
    return connection.execute(
        sa.select(t.memberships.c.group_id)
        .where(t.memberships.c.snapshot_id == snapshot_id)
        .where(t.memberships.c.membership_id == membership_id)
    ).scalar_one_or_none()


def _served_users(connection: sa.Connection, snapshot_id: int, ids: set[str]) -> set[str]:
    """Members the snapshot knows: a user created since (its own event follows)
    joins its groups once that event has put it in the snapshot."""
    if not ids:
        return set()
    return set(
        connection.execute(
            sa.select(t.users.c.id)
            .where(t.users.c.snapshot_id == snapshot_id)
            .where(t.users.c.id.in_(sorted(ids)))
        ).scalars()
    )
