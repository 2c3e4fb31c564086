"""From a SCIM write to the ordered AWS changes (intents) that carry it out.

A write is described by the document before and after it: POST has no
"before", DELETE no "after", PUT replaces, and PATCH applies its operations
one by one (`scim.writes.patch`). The difference between two documents is a
list of intents: attribute changes (UpdateUser / UpdateGroup), membership
changes, and account and application assignment changes (an entitlement id
names either kind, `connector.writers.entitlements`). A PATCH's intents follow its
operations' order, so undoing a failed PATCH undoes them in reverse.

Every id a request names is checked against the served snapshot before
anything is recorded: an unknown entitlement or user is a 400 and AWS is not
called.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from scim2_models.path import CompareOperator, Comparison

from connector.intents import CREATED, Intent, PrincipalType
from connector.store import reads
from connector.store import tables as t
from connector.writers.entitlements import grant_of, revoke_of
from connector.writers.groups import CreateGroup, DeleteGroup, UpdateGroup
from connector.writers.identity_objects import DeleteObject, UpdateObject
from connector.writers.memberships import AddMember, RemoveMember
from connector.writers.users import CreateUser, DeleteUser, UpdateUser
from schemas import urns
from scim.errors import ScimError
from scim.writes.identity_input import (
    group_create_params,
    group_update_operations,
    refuse_repeated_names,
    unsupported_attributes,
    user_create_params,
    user_status_operations,
    user_update_operations,
    without_unsupported,
)
from scim.writes.patch import PatchOperation, apply_operation, attribute_value


@dataclass(frozen=True)
class Catalogue:
    """What the served snapshot knows, to check the ids a request names."""

    connection: sa.Connection
    snapshot_id: int

    def entitlements(self, ids: Sequence[str]) -> dict[str, reads.EntitlementTarget]:
        found = reads.entitlement_targets(self.connection, self.snapshot_id, ids)
        unknown = sorted(set(ids) - set(found))
        if unknown:
            raise ScimError(
                400,
                f"unknown entitlement id(s): {', '.join(unknown)} (see /Entitlements)",
                scim_type="invalidValue",
            )
        return found

    def revision(self, resource_type: str, resource_id: str) -> str | None:
        """The Identity Store Revision of the user or group as served: what a write
        planned against the served document is conditional on."""
        table = t.users if resource_type == "User" else t.groups
        return self.connection.execute(
            sa.select(table.c.revision)
            .where(table.c.snapshot_id == self.snapshot_id)
            .where(table.c.id == resource_id)
        ).scalar_one_or_none()

    def check_users(self, ids: Sequence[str]) -> None:
        unknown = sorted(
            set(ids) - reads.existing_ids(self.connection, self.snapshot_id, t.users, ids)
        )
        if unknown:
            raise ScimError(
                400, f"unknown user id(s): {', '.join(unknown)}", scim_type="invalidValue"
            )


@dataclass(frozen=True)
class Named:
    """Values a request names outright, to add or to remove.

    The served document may be behind AWS (a grant still running, a change
    made in the console since the last sync); a value the request names is
    therefore always planned, and the step checks AWS itself before it calls
    (a grant that exists, a revoke of one that does not: no call).
    """

    entitlements_added: frozenset[str] = frozenset()
    entitlements_removed: frozenset[str] = frozenset()
    members_added: frozenset[str] = frozenset()
    members_removed: frozenset[str] = frozenset()


def plan_create(resource_type: str, body: Mapping[str, Any], catalogue: Catalogue) -> list[Intent]:
    """POST: create, then add the members and entitlements the body names."""
    refuse_repeated_names(body)
    if resource_type == "User":
        creation: list[Intent] = [CreateUser(params=user_create_params(body))]
        disabling, enabling = user_status_operations(body)
        if disabling:
            creation.append(
                UpdateUser(user_id=CREATED, operations=tuple(disabling), previous=tuple(enabling))
            )
    else:
        creation = [CreateGroup(params=group_create_params(body))]
    empty: dict[str, Any] = {"id": CREATED}
    return [*creation, *_relations(resource_type, empty, body, catalogue)]


def plan_replace(
    resource_type: str, current: Mapping[str, Any], body: Mapping[str, Any], catalogue: Catalogue
) -> list[Intent]:
    """PUT (RFC 7644 §3.5.1): the body replaces the resource's writable attributes.

    Read-only attributes in the body are ignored, as the RFC says. Members and
    entitlements are replaced only when the body names them: a client that
    PUTs a user without `entitlements` has not asked to revoke all its access.
    """
    refuse_repeated_names(body)
    desired = dict(body)
    desired["id"] = current["id"]
    if _entitlements(resource_type, body) is None:
        desired = _with_entitlements(resource_type, desired, _entitlements(resource_type, current))
    if resource_type == "Group" and "members" not in {k.lower() for k in body}:
        desired["members"] = current.get("members") or []
    stated = Named(
        entitlements_added=frozenset(_entitlements(resource_type, body) or []),
        members_added=frozenset(_values(attribute_value(body, "members"), "members"))
        if resource_type == "Group"
        else frozenset(),
    )
    return _difference(resource_type, current, desired, catalogue, stated)


def plan_patch(
    resource_type: str,
    current: Mapping[str, Any],
    operations: Sequence[PatchOperation],
    catalogue: Catalogue,
) -> list[Intent]:
    """PATCH (RFC 7644 §3.5.2): each operation's changes, in the operations' order."""
    intents: list[Intent] = []
    document = dict(current)
    for operation in operations:
        changed = apply_operation(resource_type, document, operation)
        intents.extend(
            _difference(
                resource_type, document, changed, catalogue, _named(resource_type, operation)
            )
        )
        document = changed
    return intents


def without_unsupported_operations(
    resource_type: str, operations: Sequence[PatchOperation]
) -> tuple[list[PatchOperation], list[str]]:
    """PATCH operations without the attributes the Identity Store cannot hold
    (IDCC_UNSUPPORTED_ATTRIBUTES=ignore), and the names left out."""
    unsupported = {name.casefold() for name in unsupported_attributes(resource_type)}
    kept: list[PatchOperation] = []
    dropped: list[str] = []
    for operation in operations:
        if operation.path is None:
            if isinstance(operation.value, Mapping):
                value, names = without_unsupported(resource_type, operation.value)
                dropped += names
                operation = PatchOperation(operation.op, None, value)
            kept.append(operation)
            continue
        named = {str(operation.path).casefold(), operation.path.parts[0].casefold()}
        if operation.path.schema:
            named.add(operation.path.schema.casefold())
        if named & unsupported:
            dropped.append(str(operation.path))
        else:
            kept.append(operation)
    return kept, dropped


def plan_delete(
    resource_type: str,
    current: Mapping[str, Any],
    catalogue: Catalogue,
    *,
    cleanup: bool,
    disable_users: bool = False,
) -> list[Intent]:
    """DELETE: revoke the principal's assignments first (AWS keeps them otherwise,
    orphaned), then delete it; memberships go with the user or group in AWS.
    With `disable_users` (IDCC_USER_DELETE=disable) a user is disabled instead,
    keeping what it holds, as `active: false` would.

    The revokes planned here are those the served document shows; the
    deletion itself (`revoke_assignments`) adds, once it holds the principal's
    locks, what AWS lists and what grants still running when the request came
    have made since (`Provisioner.complete_deletions`).
    """
    if resource_type == "User" and disable_users:
        return _difference(resource_type, current, {**current, "active": False}, catalogue)
    principal: PrincipalType = "USER" if resource_type == "User" else "GROUP"
    revokes: list[Intent] = []
    if cleanup:
        held = _entitlements(resource_type, current) or []
        targets = list(catalogue.entitlements(held).values()) if held else []
        revokes = [revoke_of(target, principal, current["id"]) for target in targets]
    deletion: Intent = (
        DeleteUser(user_id=current["id"], revoke_assignments=cleanup)
        if resource_type == "User"
        else DeleteGroup(group_id=current["id"], revoke_assignments=cleanup)
    )
    return [*revokes, deletion]


def conditional(
    intents: Sequence[Intent], resource_id: str, revision: str | None, *, strict: bool
) -> list[Intent]:
    """The plan with each update and delete of the resource sent against `revision`,
    the one it was planned on; `strict` (the client sent If-Match): a change made
    in AWS since fails the write with 412 rather than being re-read."""
    return [
        dataclasses.replace(intent, revision=revision, strict=strict)
        if isinstance(intent, UpdateObject | DeleteObject) and intent.object_id == resource_id
        else intent
        for intent in intents
    ]


# -- differences ---------------------------------------------------------------------


def _difference(
    resource_type: str,
    current: Mapping[str, Any],
    desired: Mapping[str, Any],
    catalogue: Catalogue,
    named: Named = Named(),
) -> list[Intent]:
    intents: list[Intent] = []
    if resource_type == "User":
        operations, previous = user_update_operations(current, desired)
        if operations:
            intents.append(
                UpdateUser(
                    user_id=current["id"], operations=tuple(operations), previous=tuple(previous)
                )
            )
    else:
        operations, previous = group_update_operations(current, desired)
        if operations:
            intents.append(
                UpdateGroup(
                    group_id=current["id"], operations=tuple(operations), previous=tuple(previous)
                )
            )
    return intents + _relations(resource_type, current, desired, catalogue, named)


def _relations(
    resource_type: str,
    current: Mapping[str, Any],
    desired: Mapping[str, Any],
    catalogue: Catalogue,
    named: Named = Named(),
) -> list[Intent]:
    """Membership and assignment changes between two documents (and what is named)."""
    principal_id = current["id"]
    intents: list[Intent] = []
    if resource_type == "Group":
        before = _values(current.get("members"), "members")
        after = _values(attribute_value(desired, "members"), "members")
        added = [u for u in after if u not in before or u in named.members_added]
        removed = [u for u in before if u not in after]
        removed += sorted(named.members_removed - set(after) - set(removed))
        catalogue.check_users(added)
        intents += [RemoveMember(group_id=principal_id, user_id=u) for u in removed]
        intents += [AddMember(group_id=principal_id, user_id=u) for u in added]
    held = _entitlements(resource_type, current) or []
    wanted = _entitlements(resource_type, desired)
    if wanted is not None:
        revoked = [e for e in held if e not in wanted]
        revoked += sorted(named.entitlements_removed - set(wanted) - set(revoked))
        granted = [e for e in wanted if e not in held or e in named.entitlements_added]
        targets = catalogue.entitlements(revoked + granted)
        principal: PrincipalType = "USER" if resource_type == "User" else "GROUP"
        intents += [revoke_of(targets[e], principal, principal_id) for e in revoked]
        intents += [grant_of(targets[e], principal, principal_id) for e in granted]
    return intents


def _named(resource_type: str, operation: PatchOperation) -> Named:
    """What one PATCH operation names outright (RFC 7644 §3.5.2 add, remove, replace)."""
    entitlements = _named_values(resource_type, operation, "entitlements")
    members = (
        _named_values(resource_type, operation, "members") if resource_type == "Group" else None
    )
    return Named(
        entitlements_added=entitlements[0] if entitlements else frozenset(),
        entitlements_removed=entitlements[1] if entitlements else frozenset(),
        members_added=members[0] if members else frozenset(),
        members_removed=members[1] if members else frozenset(),
    )


def _named_values(
    resource_type: str, operation: PatchOperation, name: str
) -> tuple[frozenset[str], frozenset[str]] | None:
    """(values named to add, values named to remove) of one multi-valued attribute."""
    path = operation.path
    if path is None:
        value = operation.value if isinstance(operation.value, Mapping) else {}
        raw = attribute_value(value, name)
        if raw is None and resource_type == "Group" and name == "entitlements":
            extension = attribute_value(value, urns.AWS_GROUP)
            raw = attribute_value(extension, name) if isinstance(extension, Mapping) else None
        return (frozenset(_values(raw, name)), frozenset()) if raw is not None else None
    if path.parts[0].lower() != name.lower() or len(path.parts) > 1:
        return None
    if operation.op == "remove":
        found = _equal_value(path.value_filter)
        if found is not None:
            return frozenset(), frozenset({found})
        raw = operation.value
        return (frozenset(), frozenset(_values(raw, name))) if isinstance(raw, list) else None
    if path.value_filter is not None:
        return None
    raw = operation.value if isinstance(operation.value, list) else [operation.value]
    return frozenset(_values(raw, name)), frozenset()


def _equal_value(node: Any) -> str | None:
    """X of a `value eq "X"` filter (the form clients use to name one value)."""
    if (
        isinstance(node, Comparison)
        and node.attr_path.attr.lower() == "value"
        and node.op == CompareOperator.eq
        and isinstance(node.value, str)
    ):
        return node.value
    return None


def _entitlements(resource_type: str, document: Mapping[str, Any]) -> list[str] | None:
    """The entitlement ids a document holds (None: it does not say)."""
    raw = attribute_value(document, "entitlements")
    if raw is None and resource_type == "Group":
        extension = attribute_value(document, urns.AWS_GROUP)
        raw = attribute_value(extension, "entitlements") if isinstance(extension, Mapping) else None
    return None if raw is None else _values(raw, "entitlements")


def _with_entitlements(
    resource_type: str, document: dict[str, Any], ids: list[str] | None
) -> dict[str, Any]:
    values = [{"value": i} for i in ids or []]
    if resource_type == "User":
        return document | {"entitlements": values}
    extension = dict(attribute_value(document, urns.AWS_GROUP) or {})
    extension["entitlements"] = values
    return document | {urns.AWS_GROUP: extension}


def _values(raw: Any, name: str) -> list[str]:
    """The `value`s of a multi-valued attribute, in order, once each."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ScimError(400, f"{name} must be a list", scim_type="invalidValue")
    values: list[str] = []
    for entry in raw:
        value = entry.get("value") if isinstance(entry, Mapping) else None
        if not isinstance(value, str) or not value:
            raise ScimError(
                400, f"each of {name} needs a 'value' string: {entry!r}", scim_type="invalidValue"
            )
        if value not in values:
            values.append(value)
    return values
