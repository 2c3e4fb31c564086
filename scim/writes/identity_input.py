"""SCIM User and Group documents as Identity Store request parameters.

POST becomes CreateUser / CreateGroup; PUT and PATCH, once applied to the served
document, become the UpdateUser / UpdateGroup `AttributeOperations` between the
served and the desired document, with the operations that undo them
(https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateUser.html,
API_UpdateUser.html, API_AttributeOperation.html, API_CreateGroup.html, API_UpdateGroup.html).
`active` is the user's UserStatus (ENABLED / DISABLED), which UpdateUser sets.

`roles`, `photos`, our extension's `website` and `birthdate` and the enterprise
extension are the User's Roles, Photos, Website, Birthdate and its
"aws:identitystore:enterprise" Extension (API_User.html).

The checks AWS makes on the input alone are made here first, so a bad request answers
a SCIM 400 `invalidValue` (RFC 7644 §3.12) naming the attribute, and AWS is never
called: required members, JSON types, the members' length and character limits, the
one email, phone number, address and role and three photos (one primary) a user may
have, a birthdate as YYYY-MM-DD, and a photo's value as a URL (RFC 7643 §4.1.2: "A
URI that is a uniform resource locator"). (Uniqueness needs AWS.)

Nothing a client sends is dropped silently: a value the Identity Store cannot hold
(externalId, password, ims, x509Certificates, unknown sub-attributes) is refused, so
that what the client reads back is what it wrote. The resource's `id`, `meta`, `schemas`, `groups`,
`members`, `entitlements` and our own read-only extension attributes are the
caller's concern and ignored here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final
from urllib.parse import urlsplit

from connector.readers.users import ENTERPRISE_EXTENSION
from schemas import urns
from scim.errors import ScimError

# The Identity Store's member names are the SCIM names capitalised ("nickName" is
# NickName, "name.givenName" is Name.GivenName, API_User.html); UpdateUser takes the
# SCIM names as AttributePath. Strings are SensitiveStringType (1-1024 characters)
# except UserName (1-128, and no white space).
_USER_NAME_LENGTH: Final = 128
_STRING_LENGTH: Final = 1024
_USER_STRINGS: Final = (
    "userName",
    "displayName",
    "nickName",
    "profileUrl",
    "userType",
    "title",
    "preferredLanguage",
    "locale",
    "timezone",
)
_NAME_PARTS: Final = (
    "formatted",
    "familyName",
    "givenName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
)
# RFC 7643 §4.1.2 sub-attributes of the Email, PhoneNumber and Address shapes.
_USER_LISTS: Final = {
    "emails": ("value", "type", "primary"),
    "phoneNumbers": ("value", "type", "primary"),
    "addresses": (
        "formatted",
        "streetAddress",
        "locality",
        "region",
        "postalCode",
        "country",
        "type",
        "primary",
    ),
}
# RFC 7643 §4.1.2 `roles` and `photos` as the Identity Store's Role and Photo (a
# Role has no display); at most 1 role and 3 photos (the Roles and Photos shapes).
_ROLE: Final = ("value", "type", "primary")
_PHOTO: Final = ("value", "display", "type", "primary")
_MAX_PHOTOS: Final = 3
_PHOTO_SCHEMES: Final = ("http", "https", "data")  # Photo.Value: "The photo data or URL"
# Ours (urns.AWS_USER): the User's Website and Birthdate ("YYYY-MM-DD").
_PROFILE_STRINGS: Final = ("website", "birthdate")
# RFC 7643 §4.3, as the members of the "aws:identitystore:enterprise" extension;
# the manager is its `value` (`$ref` and `displayName` follow from it).
_ENTERPRISE_STRINGS: Final = (
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
)
_MANAGER: Final = f"{ENTERPRISE_EXTENSION}.manager"
# `active` is the Identity Store's UserStatus (UpdateUser only: CreateUser has no
# such parameter, so a user POSTed inactive is created, then disabled).
_STATUS: Final = "userStatus"
ENABLED: Final = "ENABLED"
DISABLED: Final = "DISABLED"
_USER_PATHS: Final = (
    *_USER_STRINGS,
    *(f"name.{p}" for p in _NAME_PARTS),
    *_USER_LISTS,
    _STATUS,
    "roles",
    "photos",
    *_PROFILE_STRINGS,
    *(f"{ENTERPRISE_EXTENSION}.{e}" for e in _ENTERPRISE_STRINGS),
    _MANAGER,
)
_GROUP_PATHS: Final = ("displayName", "description")

# CreateUser: "When used in IAM Identity Center, this parameter is required" (Name,
# DisplayName), and UserName identifies the user; UpdateUser cannot remove them.
_REQUIRED_USER: Final = ("userName", "displayName", "name.givenName", "name.familyName")

# RFC 7643 §4.1 attributes the Identity Store User has no member for.
_UNHOLDABLE_USER: Final = ("password", "ims", "x509Certificates")

# The white space SensitiveStringType's pattern allows besides \p{L}\p{M}\p{S}\p{N}\p{P}.
_SPACES: Final = frozenset("\t\n\r \u00a0\u3000")

_EXTERNAL_ID: Final = (
    "externalId cannot be set or changed: the Identity Store API has no such parameter "
    "(Identity Center keeps the identifiers an identity provider gives through its own "
    "SCIM endpoint); leave externalId out"
)


def unsupported_attributes(resource_type: str) -> tuple[str, ...]:
    """Attributes a client may send that the Identity Store API cannot hold.

    With IDCC_UNSUPPORTED_ATTRIBUTES=ignore they are left out of a request
    instead of refusing it (clients such as Okta and Entra ID send some of them
    on every request). `active` is not among them: a deactivation that was
    ignored would leave a leaver's access in place.
    """
    if resource_type == "User":
        return ("externalId", *_UNHOLDABLE_USER)
    return ("externalId",)


def without_unsupported(
    resource_type: str, document: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The document without the attributes of `unsupported_attributes`, and their names."""
    unsupported = {name.casefold() for name in unsupported_attributes(resource_type)}
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in document.items():
        if key.casefold() in unsupported and value not in (None, "", [], {}):
            dropped.append(key)
        elif key.casefold() not in unsupported:
            kept[key] = value
    if dropped:
        kept["schemas"] = [
            schema
            for schema in document.get("schemas") or []
            if not isinstance(schema, str) or schema.casefold() not in unsupported
        ]
    return kept, dropped


def user_create_params(document: Mapping[str, Any]) -> dict[str, Any]:
    """CreateUser parameters (without IdentityStoreId) for a POSTed User (RFC 7644 §3.3).

    CreateUser takes at most one email, phone number and address ("Fixed number of 1
    item"), as Identity Center's own SCIM endpoint does; a document with more is refused
    rather than trimmed to its primary value, since trimming would drop data the client
    believes stored and make every later comparison of its copy with ours differ.
    """
    _refuse_unholdable_user({}, document)
    state = _user_state(document)
    _require(state, _REQUIRED_USER, "user")
    state.pop(_STATUS, None)  # set after creation: user_status_operations
    params: dict[str, Any] = {}
    for path, value in state.items():
        attribute, _, part = path.partition(".")
        if attribute == ENTERPRISE_EXTENSION:
            params.setdefault("Extensions", {}).setdefault(attribute, {})[part] = value
        elif part:
            params.setdefault(_aws(attribute), {})[_aws(part)] = value
        else:
            params[_aws(attribute)] = value
    return params


def user_update_operations(
    current: Mapping[str, Any], desired: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """UpdateUser operations from the served User to the desired one, and their undo.

    Only changed attributes appear. An attribute the desired document lacks (or holds
    null, RFC 7643 §2.5) is removed by an operation without AttributeValue (an
    AttributeOperation may "add, replace, or remove an attribute"); lists (emails, ...)
    are replaced whole, since the service refuses an operation on one of their items
    ("please provide full replacement of Multi-Value attribute types"). Attributes this service
    cannot write (externalId) are refused only when
    the desired document asserts a value other than the served one: leaving them out
    of a PUT means "not asserted" (RFC 7644 §3.5.1), not "clear".
    """
    _refuse_unholdable_user(current, desired)
    before = _user_state(current)
    after = _user_state(desired)
    if _STATUS not in after and _STATUS in before:
        after[_STATUS] = before[_STATUS]  # active not asserted: left as it is
    _require(after, _REQUIRED_USER, "user")
    return _operations(before, after, _USER_PATHS)


def user_status_operations(
    document: Mapping[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The UpdateUser operation that disables a user POSTed with `active: false`
    (CreateUser takes no status: a new user is enabled), and its undo; or none."""
    if _user_state(document).get(_STATUS) != DISABLED:
        return [], []
    return [_operation(_STATUS, DISABLED)], [_operation(_STATUS, ENABLED)]


def group_create_params(document: Mapping[str, Any]) -> dict[str, Any]:
    """CreateGroup parameters (without IdentityStoreId) for a POSTed Group.

    The description is our extension's `description` (RFC 7643 §4.2 has none).
    """
    _refuse_external_id({}, document)
    state = _group_state(document)
    _require(state, ("displayName",), "group")
    return {_aws(path): value for path, value in state.items()}


def group_update_operations(
    current: Mapping[str, Any], desired: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """UpdateGroup operations from the served Group to the desired one, and their undo."""
    _refuse_external_id(current, desired)
    before = _group_state(current)
    after = _group_state(desired)
    _require(after, ("displayName",), "group")
    return _operations(before, after, _GROUP_PATHS)


# -- documents as attribute paths and Identity Store values -------------------------------------


def _user_state(document: Mapping[str, Any]) -> dict[str, Any]:
    """The assigned attributes, by UpdateUser AttributePath, with Identity Store values."""
    state: dict[str, Any] = {}
    for attribute in _USER_STRINGS:
        length = _USER_NAME_LENGTH if attribute == "userName" else _STRING_LENGTH
        spaces = attribute != "userName"
        value = _string(_member(document, attribute), attribute, length, spaces=spaces)
        if value is not None:
            state[attribute] = value
    name = _object(_member(document, "name"), "name", _NAME_PARTS)
    for part in _NAME_PARTS:
        value = _string(name.get(part), f"name.{part}")
        if value is not None:
            state[f"name.{part}"] = value
    for attribute, sub_attributes in _USER_LISTS.items():
        item = _single_item(_member(document, attribute), attribute, sub_attributes)
        if item is not None:
            state[attribute] = [item]
    active = _member(document, "active")
    if active is not None:
        state[_STATUS] = ENABLED if _boolean(active, "active") else DISABLED
    role = _single_item(_member(document, "roles"), "roles", _ROLE)
    if role is not None:
        state["roles"] = [role]
    photos = _photos(_member(document, "photos"))
    if photos:
        state["photos"] = photos
    return state | _profile_state(document) | _enterprise_state(document)


def _photos(value: Any) -> list[dict[str, Any]]:
    """Up to three Photos, one primary at most, each value a URL (or photo data)."""
    if value is None or value == []:
        return []
    if not isinstance(value, list):
        raise _invalid("photos must be an array of objects")
    if len(value) > _MAX_PHOTOS:
        raise _invalid(
            f"photos: the Identity Store keeps at most {_MAX_PHOTOS} per user and "
            f"{len(value)} were given"
        )
    photos = [_item(photo, f"photos[{n}]", _PHOTO) for n, photo in enumerate(value)]
    if sum(photo["Primary"] for photo in photos) > 1:
        raise _invalid("photos: at most one photo may be primary (RFC 7643 §2.4)")
    for n, photo in enumerate(photos):
        url = urlsplit(photo["Value"])
        if url.scheme.lower() not in _PHOTO_SCHEMES or not (url.netloc or url.scheme == "data"):
            raise _invalid(f"photos[{n}].value {photo['Value']!r} is not a URL")
    return photos


def _profile_state(document: Mapping[str, Any]) -> dict[str, Any]:
    """Our extension's website and birthdate (the User's Website and Birthdate)."""
    extension = _object(_member(document, urns.AWS_USER), urns.AWS_USER, None)
    state = {
        path: value
        for path in _PROFILE_STRINGS
        if (value := _string(_member(extension, path), f"{urns.AWS_USER}:{path}")) is not None
    }
    birthdate = state.get("birthdate")
    if birthdate is not None and not _is_date(birthdate):
        raise _invalid(f"{urns.AWS_USER}:birthdate {birthdate!r} is not a date written YYYY-MM-DD")
    return state


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == len("YYYY-MM-DD")


def _enterprise_state(document: Mapping[str, Any]) -> dict[str, Any]:
    """The enterprise extension's members, by their UpdateUser AttributePath."""
    where = urns.ENTERPRISE_USER
    extension = _object(_member(document, where), where, (*_ENTERPRISE_STRINGS, "manager"))
    state: dict[str, Any] = {}
    for name in _ENTERPRISE_STRINGS:
        value = _string(extension.get(name), f"{where}:{name}")
        if value is not None:
            state[f"{ENTERPRISE_EXTENSION}.{name}"] = value
    manager = _object(
        extension.get("manager"), f"{where}:manager", ("value", "$ref", "displayName")
    )
    manager_id = _string(manager.get("value"), f"{where}:manager.value")
    if manager_id is not None:
        state[_MANAGER] = {"value": manager_id}
    return state


def _single_item(
    value: Any, attribute: str, sub_attributes: tuple[str, ...]
) -> dict[str, Any] | None:
    """The one Email / PhoneNumber / Address a multi-valued attribute may carry."""
    if value is None or value == []:
        return None
    if not isinstance(value, list):
        raise _invalid(f"{attribute} must be an array of objects")
    if len(value) > 1:
        raise _invalid(
            f"{attribute}: the Identity Store keeps at most one per user and "
            f"{len(value)} were given; send only the one to keep"
        )
    return _item(value[0], f"{attribute}[0]", sub_attributes)


def _item(value: Any, where: str, sub_attributes: tuple[str, ...]) -> dict[str, Any]:
    """One value of a multi-valued attribute, with Identity Store member names."""
    fields = _object(value, where, sub_attributes)
    item: dict[str, Any] = {}
    for sub in sub_attributes:
        if sub == "primary":
            item["Primary"] = _boolean(fields.get(sub), f"{where}.{sub}")
        elif (text := _string(fields.get(sub), f"{where}.{sub}")) is not None:
            item[_aws(sub)] = text
    # The item is its value (RFC 7643 §2.4); the readers skip an email without one.
    if "value" in sub_attributes and "Value" not in item:
        raise _invalid(f"{where}.value is required")
    return item


def _group_state(document: Mapping[str, Any]) -> dict[str, Any]:
    extension = _object(_member(document, urns.AWS_GROUP), urns.AWS_GROUP, None)
    values = {
        "displayName": _string(_member(document, "displayName"), "displayName"),
        "description": _string(_member(extension, "description"), f"{urns.AWS_GROUP}:description"),
    }
    return {path: value for path, value in values.items() if value is not None}


def _operations(
    before: Mapping[str, Any], after: Mapping[str, Any], paths: Iterable[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    changed = [path for path in paths if before.get(path) != after.get(path)]
    return (
        [_operation(path, after.get(path)) for path in changed],
        [_operation(path, before.get(path)) for path in changed],
    )


def _operation(path: str, value: Any) -> dict[str, Any]:
    """An AttributeOperation; without AttributeValue it removes the attribute."""
    if value is None:
        return {"AttributePath": path}
    return {"AttributePath": path, "AttributeValue": value}


def _aws(scim_name: str) -> str:
    return scim_name[0].upper() + scim_name[1:]


# -- what the Identity Store cannot hold ----------------------------------------------------------


def _refuse_unholdable_user(current: Mapping[str, Any], desired: Mapping[str, Any]) -> None:
    _refuse_external_id(current, desired)
    for attribute in _UNHOLDABLE_USER:
        if _member(desired, attribute) not in (None, "", []):
            raise _invalid(f"{attribute} cannot be stored in the Identity Store; leave it out")


def _refuse_external_id(current: Mapping[str, Any], desired: Mapping[str, Any]) -> None:
    wanted = _member(desired, "externalId")
    if wanted in (None, ""):
        return
    if not isinstance(wanted, str):
        raise _invalid("externalId must be a string")
    if wanted != _member(current, "externalId"):
        raise _invalid(_EXTERNAL_ID)


# -- JSON values ----------------------------------------------------------------------------------


def _member(document: Mapping[str, Any], name: str) -> Any:
    """An attribute by name, which RFC 7643 §2.1 makes case-insensitive."""
    found = [value for key, value in document.items() if key.casefold() == name.casefold()]
    if len(found) > 1:
        raise _repeated(name)
    return found[0] if found else None


def refuse_repeated_names(document: Mapping[str, Any]) -> None:
    """Refuse an object naming one attribute twice ("userName" and "USERNAME"): names
    are case-insensitive (RFC 7643 §2.1), so which of the values is meant is unknown.
    A POST meets the same refusal in `_member`; a PATCH value meets it here."""
    first: dict[str, str] = {}
    for key in document:
        earlier = first.setdefault(key.casefold(), key)
        if earlier != key:
            raise _repeated(earlier)


def _repeated(name: str) -> ScimError:
    return _invalid(f"{name} is given more than once (in different letter cases)")


def _object(value: Any, where: str, known: tuple[str, ...] | None) -> dict[str, Any]:
    """A complex value's sub-attributes by canonical name (all of them if `known` is
    None); a sub-attribute outside `known` that carries a value is refused."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _invalid(f"{where} must be an object")
    if known is None:
        return dict(value)
    folded = {name.casefold() for name in known}
    for key, sub in value.items():
        if key.casefold() not in folded and sub not in (None, "", [], {}):
            raise _invalid(f"{where}.{key} cannot be stored in the Identity Store; leave it out")
    return {name: _member(value, name) for name in known}


def _string(
    value: Any, where: str, max_length: int = _STRING_LENGTH, *, spaces: bool = True
) -> str | None:
    """A string member, or None. AWS strings have at least one character, so "" can
    only mean "no value" (RFC 7643 §2.5 unassigned)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _invalid(f"{where} must be a string")
    if len(value) > max_length:
        raise _invalid(f"{where} is longer than the Identity Store's {max_length} characters")
    for character in value:
        if unicodedata.category(character)[0] not in "LMSNP" and not (
            spaces and character in _SPACES
        ):
            raise _invalid(
                f"{where} contains {character!r}, which the Identity Store does not accept"
            )
    return value


def _boolean(value: Any, where: str) -> bool:
    """RFC 7643 §2.4: `primary` is false unless given."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _invalid(f"{where} must be true or false")
    return value


def _require(state: Mapping[str, Any], paths: tuple[str, ...], resource: str) -> None:
    missing = [path for path in paths if path not in state]
    if missing:
        raise _invalid(
            f"missing required attribute(s): {', '.join(missing)}; "
            f"the Identity Store requires them on every {resource}"
        )


def _invalid(detail: str) -> ScimError:
    return ScimError(400, detail, scim_type="invalidValue")
