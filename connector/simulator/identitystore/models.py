"""moto's Identity Store backend, corrected where it differs from AWS.

moto 5.2.5:

* has no UpdateUser / UpdateGroup;
* lets a user join the same group twice (AWS: ConflictException,
  https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateGroupMembership.html);
* keeps memberships of deleted users and groups, and deletes unknown ones silently
  (AWS: ResourceNotFoundException, and a deleted principal leaves no membership);
* stores no ExternalIds and returns an empty list for groups' ExternalIds;
* keeps no CreatedAt, CreatedBy, UpdatedAt or UpdatedBy of a user, group or
  membership (AWS returns them in every User, Group and GroupMembership,
  https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_GroupMembership.html);
* has no Photos, Roles, Website, Birthdate or Extensions (the enterprise
  extension, returned only when a read asks for it): see profile.py;
* has no Revision: AWS changes a user's or group's on every write, and
  UpdateUser, DeleteUser and their group twins given another fail with
  ConflictException CONCURRENT_MODIFICATION (API_UpdateUser.html);
* accepts any MaxResults (AWS: 1-100,
  https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_ListUsers.html);
* scans every user, group or membership for each uniqueness check and lookup.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from types import ModuleType
from typing import Any, Concatenate, ParamSpec, TypeVar

from moto.identitystore.exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from moto.identitystore.models import IdentityStoreBackend, Name
from moto.moto_api._internal import mock_random

from ..pagination import PageRule, page
from .attributes import apply_group_operations, apply_user_operations
from .profile import (
    checked_birthdate,
    checked_extension_names,
    checked_extensions,
    checked_photos,
    checked_roles,
    checked_website,
)
from .records import IndexedStore, StoredGroup, StoredUser, without_empty

# Who the request being served is made by (the caller's ARN), for the records'
# CreatedBy and UpdatedBy; set by the wire layer around each request.
ACTING: ContextVar[str | None] = ContextVar("identitystore_acting", default=None)

P = ParamSpec("P")
R = TypeVar("R")

_MAX = 100
USERS = PageRule[StoredUser](_MAX, _MAX, lambda user: user.UserId)
GROUPS = PageRule[StoredGroup](_MAX, _MAX, lambda group: group.GroupId)
MEMBERSHIPS = PageRule[dict[str, Any]](_MAX, _MAX, lambda m: str(m["MembershipId"]))


def _invalid(message: str) -> ValidationException:
    return ValidationException(message=message)


def _user_not_found() -> ResourceNotFoundException:
    return ResourceNotFoundException(message="USER not found.", resource_type="USER")


def _group_not_found() -> ResourceNotFoundException:
    return ResourceNotFoundException(message="GROUP not found.", resource_type="GROUP")


def _duplicate(what: str) -> ConflictException:
    return ConflictException(message=f"Duplicate {what}", reason="UNIQUENESS_CONSTRAINT_VIOLATION")


def _locked(
    method: Callable[Concatenate[CorrectedIdentityStoreBackend, P], R],
) -> Callable[Concatenate[CorrectedIdentityStoreBackend, P], R]:
    """Check-then-write under the backend lock: the server runs requests in threads,
    and two concurrent CreateUser calls must not both pass the uniqueness check."""

    def wrapper(backend: CorrectedIdentityStoreBackend, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with backend._lock:
            return method(backend, *args, **kwargs)

    functools.update_wrapper(wrapper, method)
    return wrapper


class CorrectedIdentityStoreBackend(IdentityStoreBackend):
    """IdentityStoreBackend with updates, cascading deletes, uniqueness and indexes."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self._lock = threading.RLock()

    def _adopt_moto_state(self) -> None:
        """Stores are re-indexed lazily in ``_store`` (see patching.py)."""
        self._lock = threading.RLock()

    @property
    def _url_module(self) -> ModuleType:
        from . import urls

        return urls

    @_locked
    def _store(self, store_id: str) -> IndexedStore:
        if not store_id:
            raise _invalid(
                "Invalid length for parameter IdentityStoreId, value: 0, valid min length: 1"
            )
        store = self.identity_stores.get(store_id)
        if not isinstance(store, IndexedStore):
            # moto creates a store on first use of any id; so do we.
            store = IndexedStore() if store is None else IndexedStore.adopt(store)
            self.identity_stores[store_id] = store
        return store

    # moto's own methods reach the store through this name-mangled helper.
    def _IdentityStoreBackend__get_identity_store(self, store_id: str) -> IndexedStore:
        return self._store(store_id)

    # -- users -----------------------------------------------------------------

    @_locked
    def create_user(
        self,
        identity_store_id: str,
        user_name: str,
        name: dict[str, str],
        display_name: str,
        nick_name: str | None,
        profile_url: str | None,
        emails: list[dict[str, Any]],
        addresses: list[dict[str, Any]],
        phone_numbers: list[dict[str, Any]],
        user_type: str | None,
        title: str | None,
        preferred_language: str | None,
        locale: str | None,
        timezone: str | None,
        external_ids: list[dict[str, str]] | None = None,
        profile: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """As moto, with an O(1) UserName check. ``external_ids`` is not a
        CreateUser parameter (an IdP sets it through SCIM); the loader uses it.
        ``profile`` holds the members moto lacks (Photos, Roles, Website,
        Birthdate, Extensions), by their CreateUser names.
        """
        given = profile or {}
        store = self._store(identity_store_id)
        user = StoredUser(
            UserId=str(mock_random.uuid4()),
            IdentityStoreId=identity_store_id,
            UserName=user_name,
            Name=Name.from_dict(name),
            DisplayName=display_name,
            NickName=nick_name,
            ProfileUrl=profile_url,
            Emails=emails or [],
            Addresses=addresses or [],
            PhoneNumbers=phone_numbers or [],
            UserType=user_type,
            Title=title,
            PreferredLanguage=preferred_language,
            Locale=locale,
            Timezone=timezone,
            ExternalIds=external_ids or [],
            Photos=checked_photos(given.get("Photos")),
            Roles=checked_roles(given.get("Roles")),
            Website=checked_website(given.get("Website")),
            Birthdate=checked_birthdate(given.get("Birthdate")),
            Extensions=checked_extensions(given.get("Extensions")),
            **_stamps(created=True),
        )
        _check_required(user)
        if user_name in store.user_ids_by_name:
            raise _duplicate("UserName")
        store.put_user(user)
        return user.UserId, identity_store_id

    def describe_user(self, identity_store_id: str, user_id: str) -> StoredUser:  # type: ignore[override]
        user = self._store(identity_store_id).users.get(user_id)
        if user is None:
            raise _user_not_found()
        return user

    @_locked
    def update_user(
        self,
        identity_store_id: str,
        user_id: str,
        operations: list[dict[str, Any]],
        revision: str | None = None,
    ) -> None:
        """https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_UpdateUser.html"""
        store = self._store(identity_store_id)
        user = self.describe_user(identity_store_id, user_id)
        _check_revision("user", user.Revision, revision)
        updated = apply_user_operations(user, operations)._replace(**_stamps(created=False))
        holder = store.user_ids_by_name.get(updated.UserName)
        if holder is not None and holder != user_id:
            raise _duplicate("UserName")
        store.put_user(updated)

    @_locked
    def delete_user(
        self, identity_store_id: str, user_id: str, revision: str | None = None
    ) -> None:
        """Unknown user: ResourceNotFoundException; the user's memberships go too
        (https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_DeleteUser.html).
        """
        store = self._store(identity_store_id)
        if user_id not in store.users:
            raise _user_not_found()
        _check_revision("user", store.users[user_id].Revision, revision)
        store.remove_user(user_id)

    def get_user_id(
        self, identity_store_id: str, alternate_identifier: dict[str, Any]
    ) -> tuple[str, str]:
        """Adds the ExternalId alternate identifier moto lacks
        (https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_GetUserId.html).
        """
        store = self._store(identity_store_id)
        external = alternate_identifier.get("ExternalId")
        if external is not None:
            for user in store.users.values():
                if _has_external_id(user.ExternalIds, external):
                    return user.UserId, identity_store_id
            raise _user_not_found()
        unique = alternate_identifier.get("UniqueAttribute") or {}
        value = unique.get("AttributeValue")
        if str(unique.get("AttributePath", "")).lower() == "username" and value:
            user_id = store.user_ids_by_name.get(value)
            if user_id is None:
                raise _user_not_found()
            return user_id, identity_store_id
        user_id, store_id = super().get_user_id(identity_store_id, alternate_identifier)
        return str(user_id), str(store_id)

    def list_users(  # type: ignore[override]
        self,
        identity_store_id: str,
        filters: list[dict[str, str]] | None,
        max_results: int | None = None,
        next_token: str | None = None,
        extensions: list[str] | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """As moto, paged as AWS, with the extensions asked for (API_ListUsers.html)."""
        names = checked_extension_names(extensions)
        store = self._store(identity_store_id)
        if filters and filters[0].get("AttributePath") == "UserName":
            user_id = store.user_ids_by_name.get(filters[0].get("AttributeValue", ""))
            users = [store.users[user_id]] if user_id else []
        else:
            users = list(store.users.values())
        listed, token = page(users, USERS, max_results, next_token, _invalid)
        return [user.to_json(names) for user in listed], token

    # -- groups ----------------------------------------------------------------

    @_locked
    def create_group(
        self,
        identity_store_id: str,
        display_name: str,
        description: str | None,
        external_ids: list[dict[str, str]] | None = None,
    ) -> tuple[str, str]:
        """As moto, with an O(1) DisplayName check; ``external_ids`` is for the loader."""
        store = self._store(identity_store_id)
        if display_name in store.group_ids_by_name:
            raise _duplicate("GroupDisplayName")
        group = StoredGroup(
            GroupId=str(mock_random.uuid4()),
            DisplayName=display_name,
            ExternalIds=list(external_ids or []),
            Description=description,
            IdentityStoreId=identity_store_id,
            **_stamps(created=True),
        )
        store.put_group(group)
        return group.GroupId, identity_store_id

    def describe_group(self, identity_store_id: str, group_id: str) -> StoredGroup:  # type: ignore[override]
        """With the group's ExternalIds, which moto blanks."""
        group = self._store(identity_store_id).groups.get(group_id)
        if group is None:
            raise _group_not_found()
        return group

    @_locked
    def update_group(
        self,
        identity_store_id: str,
        group_id: str,
        operations: list[dict[str, Any]],
        revision: str | None = None,
    ) -> None:
        """https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_UpdateGroup.html"""
        store = self._store(identity_store_id)
        group = self.describe_group(identity_store_id, group_id)
        _check_revision("group", group.Revision, revision)
        updated = apply_group_operations(group, operations)._replace(**_stamps(created=False))
        holder = store.group_ids_by_name.get(updated.DisplayName)
        if holder is not None and holder != group_id:
            raise _duplicate("GroupDisplayName")
        store.put_group(updated)

    @_locked
    def delete_group(
        self, identity_store_id: str, group_id: str, revision: str | None = None
    ) -> None:
        """Unknown group: ResourceNotFoundException; its memberships go too
        (https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_DeleteGroup.html).
        """
        store = self._store(identity_store_id)
        if group_id not in store.groups:
            raise _group_not_found()
        _check_revision("group", store.groups[group_id].Revision, revision)
        store.remove_group(group_id)

    def get_group_id(
        self, identity_store_id: str, alternate_identifier: dict[str, Any]
    ) -> tuple[str, str]:
        """DisplayName from the index, plus the ExternalId identifier moto lacks
        (https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_GetGroupId.html).
        """
        store = self._store(identity_store_id)
        external = alternate_identifier.get("ExternalId")
        if external is not None:
            for group in store.groups.values():
                if _has_external_id(group.ExternalIds, external):
                    return group.GroupId, identity_store_id
            raise _group_not_found()
        unique = alternate_identifier.get("UniqueAttribute") or {}
        if str(unique.get("AttributePath", "")).lower() == "displayname":
            group_id = store.group_ids_by_name.get(unique.get("AttributeValue", ""))
            if group_id is not None:
                return group_id, identity_store_id
        raise _group_not_found()

    def list_groups(  # type: ignore[override]
        self,
        identity_store_id: str,
        filters: list[dict[str, str]] | None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[StoredGroup], str | None]:
        store = self._store(identity_store_id)
        if filters and filters[0].get("AttributePath") == "DisplayName":
            group_id = store.group_ids_by_name.get(filters[0].get("AttributeValue", ""))
            groups = [store.groups[group_id]] if group_id else []
        else:
            groups = list(store.groups.values())
        return page(groups, GROUPS, max_results, next_token, _invalid)

    # -- memberships -----------------------------------------------------------

    @_locked
    def create_group_membership(
        self, identity_store_id: str, group_id: str, member_id: dict[str, str]
    ) -> tuple[str, str]:
        """An existing membership is a ConflictException, as in AWS."""
        store = self._store(identity_store_id)
        user_id = member_id["UserId"]
        if user_id not in store.users:
            raise ResourceNotFoundException(message="Member does not exist", resource_type="USER")
        if group_id not in store.groups:
            raise ResourceNotFoundException(message="Group does not exist", resource_type="GROUP")
        if (group_id, user_id) in store.membership_ids_by_pair:
            raise ConflictException(
                message="Member is already in the group",
                reason="UNIQUENESS_CONSTRAINT_VIOLATION",
            )
        membership_id = str(mock_random.uuid4())
        store.put_membership(
            without_empty(
                {
                    "IdentityStoreId": identity_store_id,
                    "MembershipId": membership_id,
                    "GroupId": group_id,
                    "MemberId": {"UserId": user_id},
                    **_stamps(created=True),
                }
            )
        )
        return membership_id, identity_store_id

    @_locked
    def delete_group_membership(self, identity_store_id: str, membership_id: str) -> None:
        store = self._store(identity_store_id)
        if membership_id not in store.group_memberships:
            raise ResourceNotFoundException(
                message="GROUP_MEMBERSHIP not found.", resource_type="GROUP_MEMBERSHIP"
            )
        store.remove_membership(membership_id)

    def get_group_membership_id(
        self, identity_store_id: str, group_id: str, member_id: dict[str, str]
    ) -> tuple[str, str]:
        store = self._store(identity_store_id)
        membership_id = store.membership_ids_by_pair.get((group_id, member_id["UserId"]))
        if membership_id is None:
            raise ResourceNotFoundException(
                message="GROUP_MEMBERSHIP not found.", resource_type="GROUP_MEMBERSHIP"
            )
        return membership_id, identity_store_id

    def is_member_in_groups(
        self, identity_store_id: str, member_id: dict[str, str], group_ids: list[str]
    ) -> list[dict[str, Any]]:
        store = self._store(identity_store_id)
        user_id = member_id["UserId"]
        return [
            {
                "GroupId": group_id,
                "MemberId": {"UserId": user_id},
                "MembershipExists": (group_id, user_id) in store.membership_ids_by_pair,
            }
            for group_id in group_ids
        ]

    def list_group_memberships(  # type: ignore[override]
        self,
        identity_store_id: str,
        group_id: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        memberships = self._store(identity_store_id).memberships_of_group(group_id)
        return page(memberships, MEMBERSHIPS, max_results, next_token, _invalid)

    def list_group_memberships_for_member(  # type: ignore[override]
        self,
        identity_store_id: str,
        member_id: dict[str, str],
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        memberships = self._store(identity_store_id).memberships_of_member(member_id["UserId"])
        return page(memberships, MEMBERSHIPS, max_results, next_token, _invalid)

    def group_ids_of(self, identity_store_id: str, user_id: str) -> list[str]:
        """The groups a user belongs to (for sso-admin's principal listings)."""
        return [m["GroupId"] for m in self._store(identity_store_id).memberships_of_member(user_id)]


def _stamps(*, created: bool) -> dict[str, Any]:
    """UpdatedAt and UpdatedBy of a change (and CreatedAt/By of a new record): now,
    by the caller of the request being served; and a new Revision."""
    now, by = time.time(), ACTING.get()
    changed = {"UpdatedAt": now, "UpdatedBy": by, "Revision": mock_random.uuid4().hex}
    return {"CreatedAt": now, "CreatedBy": by, **changed} if created else changed


def _check_revision(noun: str, current: str | None, expected: str | None) -> None:
    """A write given a Revision applies only to that revision (API_UpdateUser.html:
    "If the value doesn't match, the operation fails with a ConflictException")."""
    if expected is not None and expected != current:
        raise ConflictException(
            message=f"The {noun} was modified since revision {expected}",
            reason="CONCURRENT_MODIFICATION",
        )


def _check_required(user: StoredUser) -> None:
    """moto's CreateUser validation, on our record."""
    if not user.UserName:
        raise _invalid("userName is a required attribute")
    missing = []
    if not user.DisplayName:
        missing.append("displayname")
    if not user.Name:
        missing.append("name")
    else:
        if not user.Name.GivenName:
            missing.append("givenname")
        if not user.Name.FamilyName:
            missing.append("familyname")
    if missing:
        raise _invalid(", ".join(f"{att}: The attribute {att} is required" for att in missing))


def _has_external_id(external_ids: Sequence[dict[str, str] | None], wanted: dict[str, str]) -> bool:
    return any(
        e is not None
        and e.get("Issuer") == wanted.get("Issuer")
        and e.get("Id") == wanted.get("Id")
        for e in external_ids
    )
