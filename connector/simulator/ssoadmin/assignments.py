"""Where the simulated Identity Center keeps assignments and provisioned pairs.

moto keeps account assignments in one list and scans it on every
ListAccountAssignments call; a sync calls that once per (account, permission set)
pair, so with 10,000 assignments and 5,000 pairs the scans dominate. Both stores
here are indexed the ways the API reads them: by (account, permission set) for
ListAccountAssignments, by principal for ListAccountAssignmentsForPrincipal, and
in both directions for the provisioned-pair listings.

Dicts with None values serve as insertion-ordered sets, so listings come out in a
stable order and pagination tokens stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class AssignmentKey:
    """One account assignment; AWS identifies it by exactly these six values
    (the request parameters of
    https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateAccountAssignment.html).
    """

    instance_arn: str
    target_id: str
    target_type: str
    permission_set_arn: str
    principal_type: str
    principal_id: str

    def to_json(self) -> dict[str, str]:
        """The AccountAssignment shape of ListAccountAssignments."""
        return {
            "AccountId": self.target_id,
            "PermissionSetArn": self.permission_set_arn,
            "PrincipalType": self.principal_type,
            "PrincipalId": self.principal_id,
        }


class AssignmentStore:
    """Succeeded account assignments, indexed by target and by principal."""

    def __init__(self) -> None:
        self._by_target: dict[tuple[str, str, str], dict[AssignmentKey, None]] = {}
        self._by_principal: dict[tuple[str, str, str], dict[AssignmentKey, None]] = {}

    def __contains__(self, key: AssignmentKey) -> bool:
        return key in self._by_target.get(_target(key), {})

    def __len__(self) -> int:
        return sum(len(keys) for keys in self._by_target.values())

    def add(self, key: AssignmentKey) -> bool:
        """Add ``key``; False if it was already there (AWS does not duplicate)."""
        if key in self:
            return False
        self._by_target.setdefault(_target(key), {})[key] = None
        self._by_principal.setdefault(_principal(key), {})[key] = None
        return True

    def remove(self, key: AssignmentKey) -> bool:
        """Remove ``key``; False if it was not there."""
        if key not in self:
            return False
        _discard(self._by_target, _target(key), key)
        _discard(self._by_principal, _principal(key), key)
        return True

    def for_target(
        self, instance_arn: str, account_id: str, permission_set_arn: str
    ) -> list[AssignmentKey]:
        return list(self._by_target.get((instance_arn, account_id, permission_set_arn), {}))

    def for_principal(
        self, instance_arn: str, principal_type: str, principal_id: str
    ) -> list[AssignmentKey]:
        return list(self._by_principal.get((instance_arn, principal_type, principal_id), {}))

    def for_permission_set(self, permission_set_arn: str) -> list[AssignmentKey]:
        return [
            key
            for (_, _, arn), keys in self._by_target.items()
            if arn == permission_set_arn
            for key in keys
        ]


class ProvisionedPairs:
    """Which permission sets are provisioned to which accounts, and at which revision.

    A permission set's revision grows each time it changes; an account provisioned
    at an older revision is what AWS reports as LATEST_PERMISSION_SET_NOT_PROVISIONED
    (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListPermissionSetsProvisionedToAccount.html).
    """

    def __init__(self) -> None:
        self._accounts_by_set: dict[tuple[str, str], dict[str, int]] = {}
        self._sets_by_account: dict[tuple[str, str], dict[str, None]] = {}

    def provision(
        self, instance_arn: str, permission_set_arn: str, account_id: str, revision: int
    ) -> None:
        self._accounts_by_set.setdefault((instance_arn, permission_set_arn), {})[account_id] = (
            revision
        )
        self._sets_by_account.setdefault((instance_arn, account_id), {})[permission_set_arn] = None

    def is_provisioned(self, instance_arn: str, permission_set_arn: str, account_id: str) -> bool:
        return account_id in self._accounts_by_set.get((instance_arn, permission_set_arn), {})

    def accounts(self, instance_arn: str, permission_set_arn: str) -> dict[str, int]:
        """Account id -> revision provisioned there."""
        return dict(self._accounts_by_set.get((instance_arn, permission_set_arn), {}))

    def permission_sets(self, instance_arn: str, account_id: str) -> list[str]:
        return list(self._sets_by_account.get((instance_arn, account_id), {}))

    def revision(self, instance_arn: str, permission_set_arn: str, account_id: str) -> int:
        return self._accounts_by_set[(instance_arn, permission_set_arn)][account_id]

    def forget_permission_set(self, instance_arn: str, permission_set_arn: str) -> None:
        for account_id in self._accounts_by_set.pop((instance_arn, permission_set_arn), {}):
            _discard(self._sets_by_account, (instance_arn, account_id), permission_set_arn)


def _target(key: AssignmentKey) -> tuple[str, str, str]:
    return (key.instance_arn, key.target_id, key.permission_set_arn)


def _principal(key: AssignmentKey) -> tuple[str, str, str]:
    return (key.instance_arn, key.principal_type, key.principal_id)


def _discard(index: dict[K, dict[V, None]], bucket: K, value: V) -> None:
    values = index.get(bucket)
    if values is None:
        return
    values.pop(value, None)
    if not values:
        del index[bucket]
