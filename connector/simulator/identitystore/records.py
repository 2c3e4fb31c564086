"""How the corrected Identity Store keeps users, groups and memberships.

moto's ``User`` record has no ExternalIds, although the User shape carries them
(https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_User.html):
a directory synchronised from an IdP (SCIM) gives every user one, and a connector
matching identities by ExternalId must see it. Nor has it, nor moto's Group,
CreatedAt, CreatedBy, UpdatedAt and UpdatedBy, which AWS returns on both, nor
a user's UserStatus, Photos, Roles, Website, Birthdate and Extensions, nor the
Revision of either.
``StoredUser`` and ``StoredGroup`` are moto's records plus those fields.

moto's ``IdentityStoreData`` is three plain dicts, so each uniqueness check and
each membership lookup scans them: 2,000 users and 6,000 memberships cost
millions of comparisons to seed. ``IndexedStore`` adds the indexes those
lookups need and keeps them in step through its methods; code that changes the
store goes through them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, NamedTuple

from moto.identitystore.models import IdentityStoreData, Name

from .profile import requested


class StoredUser(NamedTuple):
    UserId: str
    IdentityStoreId: str
    UserName: str
    Name: Name | None
    DisplayName: str
    NickName: str | None
    ProfileUrl: str | None
    Emails: list[dict[str, Any]]
    Addresses: list[dict[str, Any]]
    PhoneNumbers: list[dict[str, Any]]
    UserType: str | None
    Title: str | None
    PreferredLanguage: str | None
    Locale: str | None
    Timezone: str | None
    ExternalIds: list[dict[str, str]]
    # ENABLED or DISABLED ("Disable user access" in the console, UpdateUser's
    # userStatus); every user has one, a new user ENABLED.
    UserStatus: str = "ENABLED"
    # Changes with every write; UpdateUser/DeleteUser given another fail (Revision).
    Revision: str | None = None
    # Who made and last changed the user, and when (epoch seconds), as AWS records.
    CreatedAt: float | None = None
    CreatedBy: str | None = None
    UpdatedAt: float | None = None
    UpdatedBy: str | None = None
    # The members moto lacks (profile.py); Extensions by extension name.
    Photos: list[dict[str, Any]] | None = None
    Roles: list[dict[str, Any]] | None = None
    Website: str | None = None
    Birthdate: str | None = None
    Extensions: dict[str, dict[str, Any]] | None = None

    def to_json(self, extensions: Collection[str] = ()) -> dict[str, Any]:
        """The User shape, leaving out what is not set, as AWS does, with the
        extensions the read asked for."""
        body = self._asdict()
        body["Name"] = self.Name._asdict() if self.Name else None
        body["Extensions"] = requested(self.Extensions or {}, extensions)
        return without_empty(body)


class StoredGroup(NamedTuple):
    """moto's Group record (same fields, same order, then AWS's stamps), typed as AWS fills it."""

    GroupId: str
    DisplayName: str
    ExternalIds: list[dict[str, str]]
    Description: str | None
    IdentityStoreId: str
    Revision: str | None = None
    CreatedAt: float | None = None
    CreatedBy: str | None = None
    UpdatedAt: float | None = None
    UpdatedBy: str | None = None

    def to_json(self) -> dict[str, Any]:
        return without_empty(self._asdict())


def without_empty(body: dict[str, Any]) -> dict[str, Any]:
    """Drop None members (recursively) and empty lists: AWS omits unset members."""
    cleaned: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, dict):
            value = without_empty(value)
        elif isinstance(value, list):
            value = [without_empty(v) if isinstance(v, dict) else v for v in value]
        if value is None or value == [] or value == {}:
            continue
        cleaned[key] = value
    return cleaned


class IndexedStore(IdentityStoreData):
    """One identity store with the indexes its API's lookups need."""

    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, StoredUser] = {}  # type: ignore[assignment]
        self.groups: dict[str, StoredGroup] = {}  # type: ignore[assignment]
        self.user_ids_by_name: dict[str, str] = {}
        self.group_ids_by_name: dict[str, str] = {}
        self.membership_ids_by_pair: dict[tuple[str, str], str] = {}
        self.membership_ids_by_group: dict[str, dict[str, None]] = {}
        self.membership_ids_by_member: dict[str, dict[str, None]] = {}

    @classmethod
    def adopt(cls, data: IdentityStoreData) -> IndexedStore:
        """Index a store a plain moto backend filled."""
        store = cls()
        for user in data.users.values():
            fields = user._asdict()
            fields.setdefault("ExternalIds", [])
            store.put_user(StoredUser(**fields))
        for group in data.groups.values():
            store.put_group(StoredGroup(**group._asdict()))
        for membership in data.group_memberships.values():
            store.put_membership(membership)
        return store

    def put_user(self, user: StoredUser) -> None:
        previous = self.users.get(user.UserId)
        if previous is not None:
            self.user_ids_by_name.pop(previous.UserName, None)
        self.users[user.UserId] = user
        self.user_ids_by_name[user.UserName] = user.UserId

    def remove_user(self, user_id: str) -> None:
        user = self.users.pop(user_id)
        self.user_ids_by_name.pop(user.UserName, None)
        for membership_id in list(self.membership_ids_by_member.get(user_id, {})):
            self.remove_membership(membership_id)

    def put_group(self, group: StoredGroup) -> None:
        previous = self.groups.get(group.GroupId)
        if previous is not None:
            self.group_ids_by_name.pop(previous.DisplayName, None)
        self.groups[group.GroupId] = group
        self.group_ids_by_name[group.DisplayName] = group.GroupId

    def remove_group(self, group_id: str) -> None:
        group = self.groups.pop(group_id)
        self.group_ids_by_name.pop(group.DisplayName, None)
        for membership_id in list(self.membership_ids_by_group.get(group_id, {})):
            self.remove_membership(membership_id)

    def put_membership(self, membership: dict[str, Any]) -> None:
        membership_id = membership["MembershipId"]
        group_id = membership["GroupId"]
        user_id = membership["MemberId"]["UserId"]
        self.group_memberships[membership_id] = membership
        self.membership_ids_by_pair[(group_id, user_id)] = membership_id
        self.membership_ids_by_group.setdefault(group_id, {})[membership_id] = None
        self.membership_ids_by_member.setdefault(user_id, {})[membership_id] = None

    def remove_membership(self, membership_id: str) -> None:
        membership = self.group_memberships.pop(membership_id)
        group_id = membership["GroupId"]
        user_id = membership["MemberId"]["UserId"]
        self.membership_ids_by_pair.pop((group_id, user_id), None)
        self.membership_ids_by_group.get(group_id, {}).pop(membership_id, None)
        self.membership_ids_by_member.get(user_id, {}).pop(membership_id, None)

    def memberships_of_group(self, group_id: str) -> list[dict[str, Any]]:
        return [self.group_memberships[m] for m in self.membership_ids_by_group.get(group_id, {})]

    def memberships_of_member(self, user_id: str) -> list[dict[str, Any]]:
        return [self.group_memberships[m] for m in self.membership_ids_by_member.get(user_id, {})]
