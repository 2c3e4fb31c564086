"""What a deletion of a user or group must revoke first.

Deleting a principal leaves its account assignments behind in AWS (orphans no
console shows), so a deletion that asks for it (`revokes_principal`) is
preceded by a revoke of every assignment the principal holds that the plan
does not revoke yet. Its application assignments AWS deletes with it, but
unrecorded: they are revoked first too, so that the ledger (and undo, should
the deletion fail) knows each access the deletion took away. What it holds is
what AWS lists for it (ListAccountAssignmentsForPrincipal and
ListApplicationAssignmentsForPrincipal, where AWS allows them) and what the
store serves, which the write-through of every finished grant has updated. A
running operation asks once it holds the principal's lock, so no grant to the
principal is still in flight; a dry run asks to show the same revokes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.config import Settings
from connector.intents import Intent, PrincipalType
from connector.provisioning.aws_access import AwsAccess
from connector.provisioning.pauses import retrying
from connector.readers.applications import applications_listed_for_principal
from connector.readers.assignments import assignments_listed_for_principal
from connector.store import reads
from connector.store.snapshots import current_snapshot_id
from connector.store.store import Store
from connector.writers.applications import RevokeApplication
from connector.writers.assignments import Revoke

T = TypeVar("T")


class Deletions:
    def __init__(self, store: Store, settings: Settings, access: AwsAccess) -> None:
        self._store = store
        self._settings = settings
        self._access = access

    def complete(self, intents: Sequence[Intent]) -> list[Intent]:
        """The intents with a revoke, before each deletion that asks for them, of every
        assignment its principal holds that the plan does not revoke yet."""
        revoking: set[Intent] = {i for i in intents if isinstance(i, Revoke | RevokeApplication)}
        completed: list[Intent] = []
        for intent in intents:
            principal = intent.revokes_principal
            if principal is not None:
                for revoke in self._revokes(*principal):
                    if revoke not in revoking:
                        revoking.add(revoke)
                        completed.append(revoke)
            completed.append(intent)
        return completed

    def _revokes(self, principal_type: PrincipalType, principal_id: str) -> list[Intent]:
        """A revoke of each assignment the principal holds, in AWS or as served."""
        instance_arn = self._access.instance().instance_arn
        accounts = self._held(
            lambda aws: assignments_listed_for_principal(
                aws, instance_arn, principal_type, principal_id
            ),
            lambda connection, snapshot_id: reads.assignment_pairs(
                connection, snapshot_id, principal_type, principal_id
            ),
        )
        applications = self._held(
            lambda aws: applications_listed_for_principal(
                aws, instance_arn, principal_type, principal_id
            ),
            lambda connection, snapshot_id: reads.application_assignment_arns(
                connection, snapshot_id, principal_type, principal_id
            ),
        )
        return [
            *(Revoke(account, arn, principal_type, principal_id) for account, arn in accounts),
            *(RevokeApplication(arn, principal_type, principal_id) for arn in applications),
        ]

    def _held(
        self,
        in_aws: Callable[[AwsClients], Sequence[T] | None],
        served: Callable[[sa.Connection, int], Sequence[T]],
    ) -> list[T]:
        """What AWS lists (where it allows the listing) and the store serves, once each."""
        listed = retrying(
            lambda: in_aws(self._access.aws()), time.monotonic() + self._settings.write_retry_for
        )
        with self._store.reading() as connection:
            snapshot_id = current_snapshot_id(connection)
            stored = served(connection, snapshot_id) if snapshot_id is not None else []
        return sorted(set(listed or ()) | set(stored))  # type: ignore[type-var]
