"""What a deletion of a user or group must revoke first.

Deleting a principal leaves its account assignments behind in AWS (orphans no
console shows), so a deletion that asks for it (`revokes_principal`) is
preceded by a revoke of every assignment the principal holds that the plan
does not revoke yet. What it holds is what AWS lists for it
(ListAccountAssignmentsForPrincipal, where AWS allows it) and what the store
serves, which the write-through of every finished grant has updated. A
running operation asks once it holds the principal's lock, so no grant to the
principal is still in flight; a dry run asks to show the same revokes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from connector.config import Settings
from connector.intents import Intent, PrincipalType
from connector.provisioning.aws_access import AwsAccess
from connector.provisioning.pauses import retrying
from connector.readers.assignments import assignments_listed_for_principal
from connector.store import reads
from connector.store.snapshots import current_snapshot_id
from connector.store.store import Store
from connector.writers.assignments import Revoke


class Deletions:
    def __init__(self, store: Store, settings: Settings, access: AwsAccess) -> None:
        self._store = store
        self._settings = settings
        self._access = access

    def complete(self, intents: Sequence[Intent]) -> list[Intent]:
        """The intents with a revoke, before each deletion that asks for them, of every
        assignment its principal holds that the plan does not revoke yet."""
        revoking = {
            (i.account_id, i.permission_set_arn, i.principal_type, i.principal_id)
            for i in intents
            if isinstance(i, Revoke)
        }
        completed: list[Intent] = []
        for intent in intents:
            principal = intent.revokes_principal
            if principal is not None:
                principal_type, principal_id = principal
                for account, arn in self._held(principal_type, principal_id):
                    if (account, arn, principal_type, principal_id) not in revoking:
                        revoking.add((account, arn, principal_type, principal_id))
                        completed.append(Revoke(account, arn, principal_type, principal_id))
            completed.append(intent)
        return completed

    def _held(self, principal_type: PrincipalType, principal_id: str) -> list[tuple[str, str]]:
        """(account, permission set ARN) the principal holds, in AWS or as served."""
        in_aws = retrying(
            lambda: assignments_listed_for_principal(
                self._access.aws(),
                self._access.instance().instance_arn,
                principal_type,
                principal_id,
            ),
            time.monotonic() + self._settings.write_retry_for,
        )
        with self._store.reading() as connection:
            snapshot_id = current_snapshot_id(connection)
            served = (
                reads.assignment_pairs(connection, snapshot_id, principal_type, principal_id)
                if snapshot_id is not None
                else []
            )
        return sorted(set(in_aws or ()) | set(served))
