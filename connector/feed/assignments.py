"""Assignments on one (account, permission set) pair (ListAccountAssignments).

CreateAccountAssignment and DeleteAccountAssignment are recorded when AWS
accepts them, IN_PROGRESS: read at once, the pair may not show the change yet.
The target carries what the event asked for (`expected`); until a re-read
shows it, the target is not settled and the feed reads it again shortly
(bounded), rather than calling the write-scoped status operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.readers.assignments import assignments_for_pair
from connector.readers.instance import Instance
from connector.records import Assignment, ProvisionedPair
from connector.store import tables as t
from connector.store import write_through


@dataclass(frozen=True)
class PairAssignments:
    account_id: str
    permission_set_arn: str
    # (principal type, principal id, whether it should now be assigned)
    expected: tuple[str, str, bool] | None = None

    def reread(self, aws: AwsClients, instance: Instance) -> frozenset[Assignment]:
        pair = ProvisionedPair(self.account_id, self.permission_set_arn)
        return frozenset(assignments_for_pair(aws, instance.instance_arn, pair))

    def settled(self, fresh: frozenset[Assignment]) -> bool:
        if self.expected is None:
            return True
        principal_type, principal_id, assigned = self.expected
        held = Assignment(self.account_id, self.permission_set_arn, principal_type, principal_id)
        return (held in fresh) == assigned

    def apply(
        self,
        connection: sa.Connection,
        snapshot_id: int,
        fresh: frozenset[Assignment],
        now: datetime,
    ) -> int:
        stored = {
            Assignment(r.account_id, r.permission_set_arn, r.principal_type, r.principal_id)
            for r in connection.execute(
                sa.select(t.assignments)
                .where(t.assignments.c.snapshot_id == snapshot_id)
                .where(t.assignments.c.account_id == self.account_id)
                .where(t.assignments.c.permission_set_arn == self.permission_set_arn)
            )
        }
        for added in sorted(fresh - stored, key=_key):
            write_through.grant(connection, added, now, snapshot_id)
        for removed in sorted(stored - fresh, key=_key):
            write_through.revoke(connection, removed, now, snapshot_id)
        return len(fresh ^ stored)


def _key(assignment: Assignment) -> tuple[str, str]:
    return assignment.principal_type, assignment.principal_id
