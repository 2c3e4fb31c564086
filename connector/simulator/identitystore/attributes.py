"""What UpdateUser and UpdateGroup may change, and how.

Both take ``Operations``: a list of 1-100 ``{AttributePath, AttributeValue}``
items that "add, replace, or remove an attribute" of the User or Group shape
(https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_UpdateUser.html,
https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_AttributeOperation.html).
A missing or null AttributeValue removes the attribute. Paths are matched without
regard to case, as the service matches them; a path that names no updatable
attribute, a value of the wrong shape, or removing a required attribute is a
ValidationException.

These are pure functions from the stored record and the operations to the new
record, so the backend can check uniqueness before it stores anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.identitystore.exceptions import ValidationException
from moto.identitystore.models import Name

from .profile import (
    checked_birthdate,
    checked_photos,
    checked_roles,
    checked_website,
    with_enterprise_path,
)
from .records import StoredGroup, StoredUser

_USER_STRINGS = {
    "username": "UserName",
    "displayname": "DisplayName",
    "nickname": "NickName",
    "profileurl": "ProfileUrl",
    "usertype": "UserType",
    "title": "Title",
    "preferredlanguage": "PreferredLanguage",
    "locale": "Locale",
    "timezone": "Timezone",
}
_NAME_PARTS = {
    "formatted": "Formatted",
    "familyname": "FamilyName",
    "givenname": "GivenName",
    "middlename": "MiddleName",
    "honorificprefix": "HonorificPrefix",
    "honorificsuffix": "HonorificSuffix",
}
_USER_LISTS = {
    "emails": ("Emails", {"Value", "Type", "Primary"}),
    "phonenumbers": ("PhoneNumbers", {"Value", "Type", "Primary"}),
    "addresses": (
        "Addresses",
        {
            "StreetAddress",
            "Locality",
            "Region",
            "PostalCode",
            "Country",
            "Formatted",
            "Type",
            "Primary",
        },
    ),
}
# The members moto lacks, each with its check (profile.py); the enterprise
# extension's paths are profile.with_enterprise_path's.
_PROFILE: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "photos": ("Photos", checked_photos),
    "roles": ("Roles", checked_roles),
    "website": ("Website", checked_website),
    "birthdate": ("Birthdate", checked_birthdate),
}
_USER_STATUSES = ("ENABLED", "DISABLED")
_GROUP_STRINGS = {"displayname": "DisplayName", "description": "Description"}
_REQUIRED_USER = {"UserName", "DisplayName"}
_REQUIRED_NAME = {"GivenName", "FamilyName"}
_REQUIRED_GROUP = {"DisplayName"}


def apply_user_operations(user: StoredUser, operations: list[dict[str, Any]]) -> StoredUser:
    """The user as it is after ``operations``, applied in order."""
    _check_count(operations)
    for operation in operations:
        path, value = _path_and_value(operation)
        if path in _USER_STRINGS:
            field = _USER_STRINGS[path]
            if value is None and field in _REQUIRED_USER:
                raise _required(path)
            user = user._replace(**_change(field, _string(path, value)))
        elif path == "name":
            user = user._replace(Name=_name(value))
        elif path.startswith("name.") and path[5:] in _NAME_PARTS:
            part = _NAME_PARTS[path[5:]]
            if value is None and part in _REQUIRED_NAME:
                raise _required(path)
            parts = (user.Name._asdict() if user.Name else {}) | {part: _string(path, value)}
            user = user._replace(Name=Name(**parts))
        elif path in _USER_LISTS:
            field, keys = _USER_LISTS[path]
            user = user._replace(**_change(field, _objects(path, value, keys)))
        elif path == "userstatus":
            user = user._replace(UserStatus=_status(value))
        elif path in _PROFILE:
            field, check = _PROFILE[path]
            user = user._replace(**_change(field, check(value)))
        elif (extensions := with_enterprise_path(user.Extensions or {}, path, value)) is not None:
            user = user._replace(Extensions=extensions)
        else:
            raise _unknown(operation["AttributePath"])
    return user


def apply_group_operations(group: StoredGroup, operations: list[dict[str, Any]]) -> StoredGroup:
    """The group as it is after ``operations``, applied in order."""
    _check_count(operations)
    for operation in operations:
        path, value = _path_and_value(operation)
        if path not in _GROUP_STRINGS:
            raise _unknown(operation["AttributePath"])
        field = _GROUP_STRINGS[path]
        if value is None and field in _REQUIRED_GROUP:
            raise _required(path)
        group = group._replace(**_change(field, _string(path, value)))
    return group


def _change(field: str, value: Any) -> dict[str, Any]:
    """A one-field ``_replace`` argument (fields are chosen from the tables above)."""
    return {field: value}


def _check_count(operations: list[dict[str, Any]]) -> None:
    if not 1 <= len(operations) <= 100:
        raise ValidationException(
            message="1 validation error detected: Value at 'operations' failed to satisfy "
            "constraint: Member must have length between 1 and 100",
            reason="INVALID_ATTRIBUTE_OPERATION",
        )


def _path_and_value(operation: dict[str, Any]) -> tuple[str, Any]:
    path = operation.get("AttributePath")
    if not isinstance(path, str) or not path:
        raise ValidationException(message="AttributePath is required")
    return path.lower(), operation.get("AttributeValue")


def _string(path: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationException(message=f"Invalid value for attribute {path}: expected a string")
    return value


def _name(value: Any) -> Name:
    if value is None:
        raise _required("name")
    if not isinstance(value, dict) or set(value) - set(_NAME_PARTS.values()):
        raise ValidationException(message="Invalid value for attribute name")
    missing = _REQUIRED_NAME - {key for key, part in value.items() if part}
    if missing:
        raise _required(f"name.{sorted(missing)[0]}")
    return Name(**{part: value.get(part) for part in _NAME_PARTS.values()})


def _objects(path: str, value: Any, keys: set[str]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if (
        not isinstance(value, list)
        or len(value) > 1  # one item at most, as CreateUser takes
        or not all(isinstance(item, dict) and not set(item) - keys for item in value)
    ):
        raise ValidationException(message=f"Invalid value for attribute {path}")
    return [dict(item) for item in value]


def _status(value: Any) -> str:
    """UserStatus is ENABLED or DISABLED (the User shape's enum); it cannot be removed."""
    if value not in _USER_STATUSES:
        raise ValidationException(
            message=f"Invalid value for userStatus: {value!r}; expected one of ENABLED, DISABLED",
            reason="INVALID_ATTRIBUTE_VALUE",
        )
    return str(value)


def _unknown(path: str) -> ValidationException:
    return ValidationException(
        message=f"Invalid attribute path {path}: the attribute does not exist or cannot be updated",
        reason="INVALID_ATTRIBUTE_PATH",
    )


def _required(path: str) -> ValidationException:
    return ValidationException(message=f"{path}: The attribute {path} is required")
