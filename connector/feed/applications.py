"""One application and who is assigned to it.

Its creation, update, deletion, assignment configuration, and every
assignment made or deleted re-read it whole, as a sync reads it
(DescribeApplication, GetApplicationAssignmentConfiguration,
ListApplicationAssignments: 3 calls, and one per further page of 100
assignments). CreateApplicationAssignment and DeleteApplicationAssignment are
synchronous in AWS, so a re-read right after the event shows the change: the
target is always settled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import NotFoundError
from connector.readers.applications import assignments_of_application, describe_application
from connector.readers.instance import Instance
from connector.records import Application, ApplicationAssignment
from connector.store import tables as t
from connector.store import write_through

ApplicationState = tuple[Application | None, frozenset[ApplicationAssignment]]


@dataclass(frozen=True)
class ApplicationTarget:
    arn: str

    def reread(self, aws: AwsClients, instance: Instance) -> ApplicationState:
        found = describe_application(aws, self.arn)
        if found is None:
            return None, frozenset()
        try:
            return found, frozenset(assignments_of_application(aws, self.arn))
        except NotFoundError:  # deleted between the two reads
            return None, frozenset()

    def settled(self, fresh: ApplicationState) -> bool:
        return True

    def apply(
        self, connection: sa.Connection, snapshot_id: int, fresh: ApplicationState, now: datetime
    ) -> int:
        application, assignments = fresh
        if application is None:
            write_through.remove_application(connection, self.arn, now, snapshot_id)
            return 1
        write_through.put_application(connection, application, now, snapshot_id)
        a = t.application_assignments
        stored = {
            ApplicationAssignment(self.arn, row.principal_type, row.principal_id)
            for row in connection.execute(
                sa.select(a.c.principal_type, a.c.principal_id).where(
                    a.c.snapshot_id == snapshot_id, a.c.application_arn == self.arn
                )
            )
        }
        for added in sorted(assignments - stored, key=_key):
            write_through.grant_application(connection, added, now, snapshot_id)
        for removed in sorted(stored - assignments, key=_key):
            write_through.revoke_application(connection, removed, now, snapshot_id)
        return 1 + len(assignments ^ stored)


def _key(assignment: ApplicationAssignment) -> tuple[str, str]:
    return assignment.principal_type, assignment.principal_id
