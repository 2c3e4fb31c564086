"""How a record is named and fingerprinted, by the store and the served types alike.

The change record keys each record by (object type, id) and detects change by
a hash of what a client could see (`object_key`, `content_hash`); a permission
set and an entitlement are served under ids built from AWS's (`permission_set_id`,
`entitlement_id`). Pure functions of the records, so that the store's change
record and each served type's digest (connector.served) share them without
either importing the other.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from connector.records import (
    Account,
    Application,
    ApplicationAssignment,
    ApplicationAssignmentProvenance,
    Assignment,
    AssignmentProvenance,
    Group,
    Membership,
    MembershipProvenance,
    PermissionSet,
    ProvisionedPair,
    User,
)


def object_key(record: object) -> tuple[str, str]:
    """(object type, object id) of a record, as the change record names it."""
    match record:
        case User(id=user_id):
            return "user", user_id
        case Group(id=group_id):
            return "group", group_id
        case Membership(group_id=group_id, user_id=user_id):
            return "membership", f"{group_id}|{user_id}"
        case PermissionSet(arn=arn):
            return "permission_set", arn
        case Account(id=account_id):
            return "account", account_id
        case ProvisionedPair(account_id=account_id, permission_set_arn=arn):
            return "provisioned_pair", f"{account_id}|{arn}"
        case Assignment(account_id=a, permission_set_arn=p, principal_type=k, principal_id=i):
            return "assignment", f"{a}|{p}|{k}|{i}"
        case Application(arn=arn):
            return "application", arn
        case ApplicationAssignment(application_arn=arn, principal_type=k, principal_id=i):
            return "application_assignment", f"{arn}|{k}|{i}"
        # Kept beside snapshots, never in the change record: keyed by their access.
        case AssignmentProvenance(assignment=assignment):
            return "assignment_provenance", object_key(assignment)[1]
        case MembershipProvenance(group_id=group_id, user_id=user_id):
            return "membership_provenance", f"{group_id}|{user_id}"
        case ApplicationAssignmentProvenance(assignment=assignment):
            return "application_assignment_provenance", object_key(assignment)[1]
    raise TypeError(f"not a stored record: {record!r}")


def content_hash(record: object) -> str:
    """A hash of everything an IGA platform could see change in the object.

    AWS's own timestamps (and a membership's creator) are left out: they are
    not attributes, and a change they mark shows in the attributes anyway.
    """
    document = dataclasses.asdict(record)  # type: ignore[call-overload]
    for stamp in ("created_at", "updated_at", "created_by", "updated_by", "revision"):
        document.pop(stamp, None)
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def permission_set_id(arn: str) -> str:
    """The id a permission set is served under: the ARN's last segment, "ps-..."."""
    return arn.rsplit("/", 1)[-1]


def entitlement_id(account_id: str, permission_set_arn: str) -> str:
    """The id of the entitlement "permission set @ account", stable across syncs.

    Built only here: the account id and the permission set's own id, which
    never change for the same pair, joined by a dot (neither contains one).
    """
    return f"{account_id}.{permission_set_id(permission_set_arn)}"


APPLICATION_ENTITLEMENT_PREFIX = "app."


def application_entitlement_id(application_arn: str) -> str:
    """The id of the entitlement "access to an application", stable across syncs.

    Built only here: "app." and the ARN's last segment ("apl-..."), unique in an
    instance and never changed. An account entitlement's id starts with the
    12-digit account id, so the prefix tells the two kinds apart.
    """
    return APPLICATION_ENTITLEMENT_PREFIX + application_arn.rsplit("/", 1)[-1]
