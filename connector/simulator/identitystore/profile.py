"""The User members moto 5.2.5 lacks: Photos, Roles, Website, Birthdate, Extensions.

AWS added them to CreateUser, UpdateUser, DescribeUser and ListUsers
(https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateUser.html,
API_User.html, API_Photo.html, API_Role.html). What botocore's model says of them,
and so what is checked here as the service checks it:

* Roles: at most 1 Role (Value, Type, Primary);
* Photos: at most 3 Photo (Value required; Type, Display, Primary), "only one photo can
  be designated as primary per user";
* Website: a SensitiveStringType; Birthdate: one too, "in YYYY-MM-DD format";
* Extensions: a map of extension name to a JSON document, "aws:identitystore:enterprise
  is the only supported extension name"; a User carries it only when the read asked
  for it (DescribeUser and ListUsers ``Extensions``).

Every string is SensitiveStringType: 1-1024 characters. The enterprise extension's
members are those of SCIM's enterprise User (RFC 7643 §4.3), which the API follows
("aligns Identity Store APIs with SCIM for enterprise attributes"): employeeNumber,
costCenter, organization, division, department (strings) and manager
(``{"value": <the manager's UserId>}``). Paths into it in UpdateUser follow the
AttributePath pattern ``\\p{L}+:\\p{L}+:\\p{L}+(?:\\.\\p{L}+){0,3}``:
``aws:identitystore:enterprise``, ``...enterprise.department``,
``...enterprise.manager.value``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any, Final

from moto.identitystore.exceptions import ValidationException

ENTERPRISE: Final = "aws:identitystore:enterprise"
_ENTERPRISE_STRINGS: Final = (
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
)
_MANAGER: Final = "manager"
_ROLE_KEYS: Final = frozenset({"Value", "Type", "Primary"})
_PHOTO_KEYS: Final = frozenset({"Value", "Type", "Display", "Primary"})
_MAX_ROLES: Final = 1
_MAX_PHOTOS: Final = 3
_MAX_STRING: Final = 1024


def checked_roles(value: Any) -> list[dict[str, Any]]:
    """The Roles list, or a ValidationException; None (or empty) means none."""
    return _items("roles", value, _ROLE_KEYS, _MAX_ROLES, required=())


def checked_photos(value: Any) -> list[dict[str, Any]]:
    """The Photos list, or a ValidationException; None (or empty) means none."""
    photos = _items("photos", value, _PHOTO_KEYS, _MAX_PHOTOS, required=("Value",))
    if sum(1 for photo in photos if photo.get("Primary")) > 1:
        raise _invalid("photos: only one photo can be designated as primary per user")
    return photos


def checked_website(value: Any) -> str | None:
    return _string("website", value)


def checked_birthdate(value: Any) -> str | None:
    """YYYY-MM-DD, a real date (API_User.html: "in YYYY-MM-DD format")."""
    text = _string("birthdate", value)
    if text is None:
        return None
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or len(text) != len("YYYY-MM-DD"):
        raise _invalid(f"birthdate: {text!r} is not a date in YYYY-MM-DD format")
    return text


def checked_extensions(value: Any) -> dict[str, dict[str, Any]]:
    """CreateUser's Extensions map: only the enterprise extension, each member checked."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not 1 <= len(value) <= 10:
        raise _invalid("extensions: expected a map of 1 to 10 extension names to documents")
    unknown = [name for name in value if name != ENTERPRISE]
    if unknown:
        raise _unsupported(unknown[0])
    enterprise = checked_enterprise(value[ENTERPRISE])
    return {ENTERPRISE: enterprise} if enterprise else {}


def checked_extension_names(names: Any) -> frozenset[str]:
    """DescribeUser / ListUsers ``Extensions``: the names to return (1-10 of them)."""
    if names is None:
        return frozenset()
    if not isinstance(names, list) or not 1 <= len(names) <= 10:
        raise _invalid("extensions: expected a list of 1 to 10 extension names")
    for name in names:
        if name != ENTERPRISE:
            raise _unsupported(name)
    return frozenset(names)


def checked_enterprise(value: Any) -> dict[str, Any]:
    """The enterprise extension's document; unknown members are refused."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(f"{ENTERPRISE}: expected an object")
    document: dict[str, Any] = {}
    for key, member in value.items():
        name = _enterprise_name(key)
        checked = _enterprise_member(name, member)
        if checked is not None:
            document[name] = checked
    return document


def with_enterprise_path(
    extensions: Mapping[str, dict[str, Any]], path: str, value: Any
) -> dict[str, dict[str, Any]] | None:
    """The Extensions after an UpdateUser operation on ``path`` (lower case), or None
    when the path is not one into the enterprise extension."""
    if path == ENTERPRISE:
        enterprise = checked_enterprise(value)
    elif path.startswith(f"{ENTERPRISE}."):
        member_path = path[len(ENTERPRISE) + 1 :]
        enterprise = dict(extensions.get(ENTERPRISE, {}))
        name = _enterprise_name(member_path.split(".", 1)[0])
        if member_path == f"{_MANAGER}.value".lower():
            value = None if value is None else {"value": value}
        elif "." in member_path:
            raise _invalid(f"Invalid attribute path {path}")
        checked = _enterprise_member(name, value)
        if checked is None:
            enterprise.pop(name, None)
        else:
            enterprise[name] = checked
    else:
        return None
    others = {name: doc for name, doc in extensions.items() if name != ENTERPRISE}
    return others | ({ENTERPRISE: enterprise} if enterprise else {})


def requested(extensions: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
    """The extensions a read asked for, of those the user has (API_User.html:
    "explicitly requested attribute extensions")."""
    return {name: document for name, document in extensions.items() if name in names}


def _enterprise_name(key: Any) -> str:
    names = {name.lower(): name for name in (*_ENTERPRISE_STRINGS, _MANAGER)}
    if not isinstance(key, str) or key.lower() not in names:
        raise _invalid(f"{ENTERPRISE}: {key!r} is not an attribute of the extension")
    return names[key.lower()]


def _enterprise_member(name: str, value: Any) -> Any:
    where = f"{ENTERPRISE}.{name}"
    if name != _MANAGER:
        return _string(where, value)
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"value"}:
        raise _invalid(f"{where}: expected an object with one member, value")
    return {"value": _string(f"{where}.value", value["value"])}


def _items(
    path: str, value: Any, keys: frozenset[str], most: int, required: tuple[str, ...]
) -> list[dict[str, Any]]:
    if value is None or value == []:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _invalid(f"Invalid value for attribute {path}")
    if len(value) > most:
        raise _invalid(
            f"1 validation error detected: Value at '{path}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {most}"
        )
    checked = []
    for item in value:
        if set(item) - keys or any(key not in item for key in required):
            raise _invalid(f"Invalid value for attribute {path}")
        checked.append(
            {
                key: member if key == "Primary" else _string(f"{path}.{key}", member)
                for key, member in item.items()
                if member is not None
            }
        )
        if not isinstance(item.get("Primary", False), bool):
            raise _invalid(f"{path}.Primary: expected a boolean")
    return checked


def _string(where: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= _MAX_STRING:
        raise _invalid(f"{where}: expected a string of 1 to {_MAX_STRING} characters")
    return value


def _invalid(message: str) -> ValidationException:
    return ValidationException(message=message, reason="INVALID_ATTRIBUTE_VALUE")


def _unsupported(name: Any) -> ValidationException:
    return ValidationException(
        message=f"Extension {name!r} is not supported; {ENTERPRISE} is the only supported one",
        reason="INVALID_ATTRIBUTE_VALUE",
    )
