"""One permission set with its policies, and the accounts it is provisioned to.

Any change to a permission set's policies, boundary, session or tags, its
creation, deletion or provisioning, re-reads it whole (6 calls, as a sync
reads it), where it is provisioned (ListAccountsForProvisionedPermissionSet) and
where that copy is out of date (the same with ProvisioningStatus
LATEST_PERMISSION_SET_NOT_PROVISIONED: a policy change makes every copy so, a
ProvisionPermissionSet brings one back), as a sync reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import NotFoundError
from connector.readers.instance import Instance
from connector.readers.permission_sets import read_permission_set
from connector.readers.provisioning import NOT_LATEST, pairs_for_permission_set
from connector.records import PermissionSet, ProvisionedPair
from connector.store import tables as t
from connector.store import write_through

# The permission set (None: deleted), the accounts it is provisioned to, and those
# whose copy is out of date.
PermissionSetState = tuple[PermissionSet | None, frozenset[str], frozenset[str]]


@dataclass(frozen=True)
class PermissionSetTarget:
    arn: str

    def reread(self, aws: AwsClients, instance: Instance) -> PermissionSetState:
        try:
            found = read_permission_set(aws, instance.instance_arn, self.arn)
            accounts, outdated = (
                frozenset(
                    p.account_id
                    for p in pairs_for_permission_set(aws, instance.instance_arn, self.arn, status)
                )
                for status in (None, NOT_LATEST)
            )
        except NotFoundError:
            return None, frozenset(), frozenset()
        return found, accounts, outdated

    def settled(self, fresh: PermissionSetState) -> bool:
        return True

    def apply(
        self,
        connection: sa.Connection,
        snapshot_id: int,
        fresh: PermissionSetState,
        now: datetime,
    ) -> int:
        permission_set, accounts, outdated = fresh
        if permission_set is None:
            write_through.remove_permission_set(connection, self.arn, now, snapshot_id)
            return 1
        write_through.put_permission_set(connection, permission_set, now, snapshot_id)
        stored = set(
            connection.execute(
                sa.select(t.provisioned_pairs.c.account_id)
                .where(t.provisioned_pairs.c.snapshot_id == snapshot_id)
                .where(t.provisioned_pairs.c.permission_set_arn == self.arn)
            ).scalars()
        )
        for account_id in sorted(accounts ^ stored):
            pair = ProvisionedPair(account_id, self.arn)
            write_through.set_provisioned(
                connection, pair, account_id in accounts, now, snapshot_id
            )
        write_through.set_outdated(connection, self.arn, outdated, snapshot_id)
        return 1 + len(accounts ^ stored)
