"""Write intents: one change to make in AWS, validated, before any call.

The write path runs request -> intents -> ledger -> AWS call -> tracked status
-> store. An intent names exactly one AWS change (one assignment, one
membership, one user or group), so that the ledger can record each one, a
failure can be undone step by step (`inverse`), and two requests for the same
change can be serialised on its `lock_key`.

Intents are plain data: they round-trip through JSON (`to_json` /
`intent_from_json`) because the ledger keeps them, and a restarted service
resumes from what it kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

PrincipalType = Literal["USER", "GROUP"]


@dataclass(frozen=True)
class Intent:
    """Base of every intent; `kind` names it in the ledger and in dry runs."""

    kind: ClassVar[str] = ""

    @property
    def lock_key(self) -> str:
        """Requests for the same key are serialised: one AWS call at a time per key."""
        raise NotImplementedError

    @property
    def lock_keys(self) -> tuple[str, ...]:
        """Every key the step holds: its own, and its principal's where deleting the
        principal must wait for it (an operation takes all its keys at once)."""
        return (self.lock_key,)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}


# -- account assignments (sso-admin, asynchronous) ------------------------------------


@dataclass(frozen=True)
class AssignmentIntent(Intent):
    account_id: str
    permission_set_arn: str
    principal_type: PrincipalType
    principal_id: str

    @property
    def lock_key(self) -> str:
        return (
            f"assignment|{self.account_id}|{self.permission_set_arn}"
            f"|{self.principal_type}|{self.principal_id}"
        )

    @property
    def lock_keys(self) -> tuple[str, ...]:
        # A deletion of the principal holds its principal key: it decides what to
        # revoke only once no grant to the principal is still running.
        return (self.lock_key, principal_lock_key(self.principal_type, self.principal_id))


@dataclass(frozen=True)
class Grant(AssignmentIntent):
    """CreateAccountAssignment (which also provisions the permission set to the account)."""

    kind: ClassVar[str] = "grant"


@dataclass(frozen=True)
class Revoke(AssignmentIntent):
    """DeleteAccountAssignment."""

    kind: ClassVar[str] = "revoke"


# -- group memberships (identitystore, synchronous) -----------------------------------


@dataclass(frozen=True)
class MembershipIntent(Intent):
    group_id: str
    user_id: str

    @property
    def lock_key(self) -> str:
        return f"membership|{self.group_id}|{self.user_id}"


@dataclass(frozen=True)
class AddMember(MembershipIntent):
    """CreateGroupMembership."""

    kind: ClassVar[str] = "add_member"


@dataclass(frozen=True)
class RemoveMember(MembershipIntent):
    """DeleteGroupMembership."""

    kind: ClassVar[str] = "remove_member"


# -- users and groups (identitystore, synchronous) ------------------------------------


@dataclass(frozen=True)
class CreateUser(Intent):
    """CreateUser with these request parameters (IdentityStoreId added when called)."""

    kind: ClassVar[str] = "create_user"
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def lock_key(self) -> str:
        return f"user-name|{str(self.params.get('UserName', '')).lower()}"


@dataclass(frozen=True)
class UpdateUser(Intent):
    """UpdateUser with AttributeOperations; `previous` restores the old values."""

    kind: ClassVar[str] = "update_user"
    user_id: str = ""
    operations: tuple[Mapping[str, Any], ...] = ()
    previous: tuple[Mapping[str, Any], ...] = ()

    @property
    def lock_key(self) -> str:
        return f"user|{self.user_id}"


@dataclass(frozen=True)
class DeleteUser(Intent):
    """DeleteUser; with `revoke_assignments` the user's account assignments are
    revoked first, as found once the deletion holds the user's locks."""

    kind: ClassVar[str] = "delete_user"
    user_id: str = ""
    revoke_assignments: bool = False

    @property
    def lock_key(self) -> str:
        return f"user|{self.user_id}"

    @property
    def lock_keys(self) -> tuple[str, ...]:
        return (self.lock_key, principal_lock_key("USER", self.user_id))


@dataclass(frozen=True)
class CreateGroup(Intent):
    kind: ClassVar[str] = "create_group"
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def lock_key(self) -> str:
        return f"group-name|{str(self.params.get('DisplayName', '')).lower()}"


@dataclass(frozen=True)
class UpdateGroup(Intent):
    kind: ClassVar[str] = "update_group"
    group_id: str = ""
    operations: tuple[Mapping[str, Any], ...] = ()
    previous: tuple[Mapping[str, Any], ...] = ()

    @property
    def lock_key(self) -> str:
        return f"group|{self.group_id}"


@dataclass(frozen=True)
class DeleteGroup(Intent):
    """DeleteGroup; `revoke_assignments` as for DeleteUser."""

    kind: ClassVar[str] = "delete_group"
    group_id: str = ""
    revoke_assignments: bool = False

    @property
    def lock_key(self) -> str:
        return f"group|{self.group_id}"

    @property
    def lock_keys(self) -> tuple[str, ...]:
        return (self.lock_key, principal_lock_key("GROUP", self.group_id))


def principal_lock_key(principal_type: str, principal_id: str) -> str:
    """The key every assignment change of a principal and its deletion hold."""
    return f"principal|{principal_type}|{principal_id}"


INTENT_TYPES: dict[str, type[Intent]] = {
    cls.kind: cls
    for cls in (
        Grant,
        Revoke,
        AddMember,
        RemoveMember,
        CreateUser,
        UpdateUser,
        DeleteUser,
        CreateGroup,
        UpdateGroup,
        DeleteGroup,
    )
}


# Stands for the id of the user or group the operation's first step creates,
# in the steps after it (a POST with members or entitlements): the id exists
# only once AWS has answered.
CREATED = "$created"


def bind_created(intent: Intent, created_id: str | None) -> Intent:
    """The intent with `CREATED` replaced by the created id."""
    if created_id is None:
        return intent
    changes = {
        f.name: created_id for f in dataclasses.fields(intent) if getattr(intent, f.name) == CREATED
    }
    return dataclasses.replace(intent, **changes) if changes else intent


def intent_from_json(data: Mapping[str, Any]) -> Intent:
    fields = {k: v for k, v in data.items() if k != "kind"}
    for name in ("operations", "previous"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return INTENT_TYPES[str(data["kind"])](**fields)


def inverse(intent: Intent, created_id: str | None = None) -> Intent | None:
    """The intent that undoes `intent` once it succeeded (None: nothing can).

    A created user or group is undone by deleting it (its id is known only
    after the call); a deletion cannot be undone, so plans put deletions last.
    """
    match intent:
        case Grant():
            return Revoke(**_assignment_fields(intent))
        case Revoke():
            return Grant(**_assignment_fields(intent))
        case AddMember(group_id=group_id, user_id=user_id):
            return RemoveMember(group_id=group_id, user_id=user_id)
        case RemoveMember(group_id=group_id, user_id=user_id):
            return AddMember(group_id=group_id, user_id=user_id)
        case UpdateUser(user_id=user_id, operations=operations, previous=previous):
            return UpdateUser(user_id=user_id, operations=previous, previous=operations)
        case UpdateGroup(group_id=group_id, operations=operations, previous=previous):
            return UpdateGroup(group_id=group_id, operations=previous, previous=operations)
        case CreateUser() if created_id:
            return DeleteUser(user_id=created_id)
        case CreateGroup() if created_id:
            return DeleteGroup(group_id=created_id)
    return None


def _assignment_fields(intent: AssignmentIntent) -> dict[str, Any]:
    return {
        "account_id": intent.account_id,
        "permission_set_arn": intent.permission_set_arn,
        "principal_type": intent.principal_type,
        "principal_id": intent.principal_id,
    }
