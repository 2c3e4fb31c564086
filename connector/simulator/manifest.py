"""What the loader created, named by the ids AWS gave it.

A plan names objects by plan keys (``"u00042"``); AWS names them by ids that exist
only after loading (UserId, GroupId, PermissionSetArn, account id). The manifest
holds both sides, so a test or the benchmark can say what AWS must contain in
AWS's own terms: ``expected_assignments()`` is the set a full sync must read back.
It is written to a file so another process (the benchmark) can read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .cloudtrail.history import RETENTION_SECONDS
from .plan import OrganisationPlan
from .plan_json import plan_from_data, plan_to_data
from .seed_activity import effective_accesses


@dataclass
class Manifest:
    instance_arn: str
    identity_store_id: str
    management_account_id: str
    region: str
    plan: OrganisationPlan
    users: dict[str, str] = field(default_factory=dict)  # plan key -> UserId
    groups: dict[str, str] = field(default_factory=dict)  # plan key -> GroupId
    permission_sets: dict[str, str] = field(default_factory=dict)  # key -> PermissionSetArn
    accounts: dict[str, str] = field(default_factory=dict)  # plan key -> account id
    organizational_units: dict[str, str] = field(default_factory=dict)  # "a/b" -> OU id
    applications: dict[str, str] = field(default_factory=dict)  # plan key -> ApplicationArn
    loaded_at: float = 0.0  # the time of day the plan was loaded: sign-ins are planned before it

    def identity_store_arn(self) -> str:
        """As CloudTrail's ``onBehalfOf.identityStoreArn`` names the identity store."""
        account, store = self.management_account_id, self.identity_store_id
        return f"arn:aws:identitystore::{account}:identitystore/{store}"

    def principal_id(self, principal_type: str, key: str) -> str:
        return self.users[key] if principal_type == "USER" else self.groups[key]

    def expected_memberships(self) -> set[tuple[str, str]]:
        """(GroupId, UserId) of every planned membership."""
        return {(self.groups[m.group_key], self.users[m.user_key]) for m in self.plan.memberships}

    def expected_assignments(self) -> set[tuple[str, str, str, str]]:
        """(account id, PermissionSetArn, PrincipalType, PrincipalId) of every assignment."""
        return {
            (
                self.accounts[a.account_key],
                self.permission_sets[a.permission_set_key],
                a.principal_type,
                self.principal_id(a.principal_type, a.principal_key),
            )
            for a in self.plan.assignments
        }

    def expected_application_assignments(self) -> set[tuple[str, str, str]]:
        """(ApplicationArn, PrincipalType, PrincipalId) of every application assignment."""
        return {
            (
                self.applications[a.application_key],
                a.principal_type,
                self.principal_id(a.principal_type, a.principal_key),
            )
            for a in self.plan.application_assignments
        }

    def expected_provisioned_pairs(self) -> set[tuple[str, str]]:
        """(account id, PermissionSetArn) provisioned: the planned pairs, plus every
        pair with an assignment, since creating an assignment provisions its set.
        """
        planned = {
            (self.accounts[p.account_key], self.permission_sets[p.permission_set_key])
            for p in self.plan.provisioned_pairs
        }
        assigned = {(account, arn) for account, arn, _, _ in self.expected_assignments()}
        return planned | assigned

    def expected_last_use(self) -> dict[tuple[str, str, str], datetime | None]:
        """(UserId, account id, PermissionSetArn) of every access a user holds, directly or
        through a group, and its latest sign-in CloudTrail still holds (90 days before
        loading; None: never, as far as anyone can know)."""
        horizon = self.loaded_at - RETENTION_SECONDS
        expected: dict[tuple[str, str, str], datetime | None] = {
            self._access(*access): None
            for access in effective_accesses(self.plan.assignments, self.plan.memberships)
        }
        for s in self.plan.sign_ins:
            when = int(self.loaded_at - s.seconds_ago)  # eventTime: whole seconds
            key = self._access(s.user_key, s.account_key, s.permission_set_key)
            known = expected[key]
            if when >= horizon and (known is None or when > known.timestamp()):
                expected[key] = datetime.fromtimestamp(when, UTC)
        return expected

    def expected_account_ous(self) -> dict[str, tuple[str | None, str]]:
        """Account id -> (OU id, path from "Root") of every planned account and the
        management account, which stays in the root. The root's id is not kept here
        (None); an OU's comes from `organizational_units`."""
        expected: dict[str, tuple[str | None, str]] = {self.management_account_id: (None, "Root")}
        for account in self.plan.accounts:
            path = "/".join(account.ou_path)
            expected[self.accounts[account.key]] = (
                self.organizational_units.get(path) if path else None,
                "/".join(("Root", *account.ou_path)),
            )
        return expected

    def _access(self, user: str, account: str, permission_set: str) -> tuple[str, str, str]:
        return self.users[user], self.accounts[account], self.permission_sets[permission_set]

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "instance_arn": self.instance_arn,
            "identity_store_id": self.identity_store_id,
            "management_account_id": self.management_account_id,
            "region": self.region,
            "users": self.users,
            "groups": self.groups,
            "permission_sets": self.permission_sets,
            "accounts": self.accounts,
            "organizational_units": self.organizational_units,
            "applications": self.applications,
            "loaded_at": self.loaded_at,
            "plan": plan_to_data(self.plan),
        }
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        data["plan"] = plan_from_data(data["plan"])
        return cls(**data)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Manifest:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))
