"""Records to rows and back, and the identity and content hash of each object.

Object ids in the change record are strings: an object's natural key, with
parts joined by "|" (no AWS id or ARN contains one).
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from connector.record_keys import application_entitlement_id, permission_set_id
from connector.records import (
    Address,
    Application,
    CustomerManagedPolicy,
    Email,
    ExternalId,
    Group,
    ManagedPolicy,
    Membership,
    PermissionsBoundary,
    PermissionSet,
    PhoneNumber,
    Photo,
    Role,
    Snapshot,
    User,
)

Row = dict[str, Any]

# Fields kept outside the user row (child tables) or not compared for change.
_USER_CHILDREN = ("emails", "phone_numbers", "addresses", "external_ids")
# Fields kept in the user row as JSON lists of their members.
_USER_LISTS = ("roles", "photos")


def all_records(snapshot: Snapshot) -> Iterator[object]:
    yield from snapshot.users
    yield from snapshot.groups
    yield from snapshot.memberships
    yield from snapshot.permission_sets
    yield from snapshot.accounts
    yield from snapshot.provisioned_pairs
    yield from snapshot.assignments
    yield from snapshot.applications
    yield from snapshot.application_assignments


# -- records to rows ---------------------------------------------------------


def snapshot_rows(snapshot: Snapshot, snapshot_id: int) -> dict[str, list[Row]]:
    """Rows for every snapshot table, keyed by table name."""
    rows: dict[str, list[Row]] = defaultdict(list)
    for user in snapshot.users:
        rows["users"].append(
            {
                "snapshot_id": snapshot_id,
                **{
                    spec.name: getattr(user, spec.name)
                    for spec in dataclasses.fields(User)
                    if spec.name not in (*_USER_CHILDREN, *_USER_LISTS)
                },
                "enterprise": dict(user.enterprise) if user.enterprise is not None else None,
                "roles": [dataclasses.asdict(r) for r in user.roles] or None,
                "photos": [dataclasses.asdict(p) for p in user.photos] or None,
            }
        )
        for position, email in enumerate(user.emails):
            rows["user_emails"].append(_multi(snapshot_id, user.id, position, email))
        for position, phone in enumerate(user.phone_numbers):
            rows["user_phone_numbers"].append(_multi(snapshot_id, user.id, position, phone))
        for position, address in enumerate(user.addresses):
            rows["user_addresses"].append(_multi(snapshot_id, user.id, position, address))
        rows["external_ids"].extend(_external_ids(snapshot_id, "user", user.id, user.external_ids))
    for group in snapshot.groups:
        rows["groups"].append(
            {
                "snapshot_id": snapshot_id,
                "id": group.id,
                "display_name": group.display_name,
                "description": group.description,
                "created_at": group.created_at,
                "updated_at": group.updated_at,
                "created_by": group.created_by,
                "updated_by": group.updated_by,
                "revision": group.revision,
            }
        )
        rows["external_ids"].extend(
            _external_ids(snapshot_id, "group", group.id, group.external_ids)
        )
    rows["memberships"] = [
        {"snapshot_id": snapshot_id, **dataclasses.asdict(m)} for m in snapshot.memberships
    ]
    rows["permission_sets"] = [
        _permission_set_row(snapshot_id, p) for p in snapshot.permission_sets
    ]
    for name, records in (
        ("accounts", snapshot.accounts),
        ("provisioned_pairs", snapshot.provisioned_pairs),
        ("outdated_provisioning", snapshot.outdated_pairs),
        ("assignments", snapshot.assignments),
        ("application_assignments", snapshot.application_assignments),
    ):
        rows[name] = [{"snapshot_id": snapshot_id, **dataclasses.asdict(r)} for r in records]
    rows["applications"] = [
        {
            "snapshot_id": snapshot_id,
            "id": application_entitlement_id(a.arn),
            **dataclasses.asdict(a),
        }
        for a in snapshot.applications
    ]
    return rows


def _multi(snapshot_id: int, user_id: str, position: int, value: object) -> Row:
    row = dataclasses.asdict(value)  # type: ignore[call-overload]
    row["is_primary"] = row.pop("primary")
    return {"snapshot_id": snapshot_id, "user_id": user_id, "position": position, **row}


def _external_ids(
    snapshot_id: int, owner_type: str, owner_id: str, items: Sequence[ExternalId]
) -> list[Row]:
    return [
        {
            "snapshot_id": snapshot_id,
            "owner_type": owner_type,
            "owner_id": owner_id,
            "position": position,
            "issuer": item.issuer,
            "external_id": item.id,
        }
        for position, item in enumerate(items)
    ]


def _permission_set_row(snapshot_id: int, ps: PermissionSet) -> Row:
    return {
        "snapshot_id": snapshot_id,
        "arn": ps.arn,
        "id": permission_set_id(ps.arn),
        "name": ps.name,
        "description": ps.description,
        "session_duration": ps.session_duration,
        "relay_state": ps.relay_state,
        "managed_policies": [dataclasses.asdict(p) for p in ps.managed_policies],
        "customer_managed_policies": [dataclasses.asdict(p) for p in ps.customer_managed_policies],
        "inline_policy": ps.inline_policy,
        "permissions_boundary": _boundary_json(ps.permissions_boundary),
        "tags": [list(tag) for tag in ps.tags],
        "created_at": ps.created_at,
    }


def _boundary_json(boundary: PermissionsBoundary | None) -> dict[str, Any] | None:
    return dataclasses.asdict(boundary) if boundary is not None else None


# -- rows to records ---------------------------------------------------------


def user_from_row(row: Mapping[Any, Any], children: Mapping[str, Sequence[Any]]) -> User:
    """A user from its row and its child rows ("emails", ... keyed lists)."""
    scalar = {
        spec.name: row[spec.name]
        for spec in dataclasses.fields(User)
        if spec.name not in (*_USER_CHILDREN, *_USER_LISTS)
    }
    return User(
        **scalar,
        emails=tuple(
            Email(value=r.value, type=r.type, primary=r.is_primary)
            for r in children.get("emails", ())
        ),
        phone_numbers=tuple(
            PhoneNumber(value=r.value, type=r.type, primary=r.is_primary)
            for r in children.get("phone_numbers", ())
        ),
        addresses=tuple(
            Address(
                street_address=r.street_address,
                locality=r.locality,
                region=r.region,
                postal_code=r.postal_code,
                country=r.country,
                formatted=r.formatted,
                type=r.type,
                primary=r.is_primary,
            )
            for r in children.get("addresses", ())
        ),
        external_ids=tuple(
            ExternalId(issuer=r.issuer, id=r.external_id) for r in children.get("external_ids", ())
        ),
        roles=tuple(Role(**r) for r in row["roles"] or ()),
        photos=tuple(Photo(**p) for p in row["photos"] or ()),
    )


def group_from_row(row: Mapping[Any, Any], external: Sequence[Any]) -> Group:
    return Group(
        id=row["id"],
        display_name=row["display_name"],
        description=row["description"],
        external_ids=tuple(ExternalId(issuer=r.issuer, id=r.external_id) for r in external),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        created_by=row["created_by"],
        updated_by=row["updated_by"],
        revision=row["revision"],
    )


def membership_from_row(row: Any) -> Membership:
    """A membership from its row, with the Identity Store's record of who made it."""
    return Membership(row.membership_id, row.group_id, row.user_id, row.created_at, row.created_by)


def permission_set_from_row(row: Mapping[Any, Any]) -> PermissionSet:
    boundary = row["permissions_boundary"]
    return PermissionSet(
        arn=row["arn"],
        name=row["name"],
        description=row["description"],
        session_duration=row["session_duration"],
        relay_state=row["relay_state"],
        managed_policies=tuple(ManagedPolicy(**p) for p in row["managed_policies"]),
        customer_managed_policies=tuple(
            CustomerManagedPolicy(**p) for p in row["customer_managed_policies"]
        ),
        inline_policy=row["inline_policy"],
        permissions_boundary=(
            PermissionsBoundary(
                managed_policy_arn=boundary.get("managed_policy_arn"),
                customer_managed_policy=(
                    CustomerManagedPolicy(**boundary["customer_managed_policy"])
                    if boundary.get("customer_managed_policy")
                    else None
                ),
            )
            if boundary
            else None
        ),
        tags=tuple((key, value) for key, value in row["tags"]),
        created_at=row["created_at"],
    )


def application_from_row(row: Mapping[Any, Any]) -> Application:
    return Application(**{spec.name: row[spec.name] for spec in dataclasses.fields(Application)})


# -- users and groups as JSON (the write ledger keeps what AWS answered) -------


def record_json(record: User | Group) -> dict[str, Any]:
    """A user or group as JSON-safe data (times as ISO 8601), for `*_from_json`."""
    data = dataclasses.asdict(record)
    for key in ("created_at", "updated_at"):
        if data.get(key) is not None:
            data[key] = data[key].isoformat()
    if isinstance(record, User) and record.enterprise is not None:
        data["enterprise"] = json.loads(json.dumps(dict(record.enterprise), default=str))
    return data


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def user_from_json(data: Mapping[str, Any]) -> User:
    nested = {*_USER_CHILDREN, *_USER_LISTS, "created_at", "updated_at"}
    return User(
        **{k: v for k, v in data.items() if k not in nested},
        emails=tuple(Email(**e) for e in data.get("emails") or ()),
        phone_numbers=tuple(PhoneNumber(**p) for p in data.get("phone_numbers") or ()),
        addresses=tuple(Address(**a) for a in data.get("addresses") or ()),
        external_ids=tuple(ExternalId(**x) for x in data.get("external_ids") or ()),
        roles=tuple(Role(**r) for r in data.get("roles") or ()),
        photos=tuple(Photo(**p) for p in data.get("photos") or ()),
        created_at=_time(data.get("created_at")),
        updated_at=_time(data.get("updated_at")),
    )


def group_from_json(data: Mapping[str, Any]) -> Group:
    return Group(
        id=data["id"],
        display_name=data["display_name"],
        description=data.get("description"),
        external_ids=tuple(ExternalId(**x) for x in data.get("external_ids") or ()),
        created_at=_time(data.get("created_at")),
        updated_at=_time(data.get("updated_at")),
        created_by=data.get("created_by"),
        updated_by=data.get("updated_by"),
        revision=data.get("revision"),
    )
