"""Every kind of change the write path makes, by the name the ledger records.

Adding a kind of change is one module in `connector.writers` and one line
here; nothing else branches on the kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.intents import Intent
from connector.writers.applications import GrantApplication, RevokeApplication
from connector.writers.assignments import Grant, Revoke
from connector.writers.groups import CreateGroup, DeleteGroup, UpdateGroup
from connector.writers.memberships import AddMember, RemoveMember
from connector.writers.users import CreateUser, DeleteUser, UpdateUser

INTENT_TYPES: dict[str, type[Intent]] = {
    cls.kind: cls
    for cls in (
        Grant,
        Revoke,
        GrantApplication,
        RevokeApplication,
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


def intent_from_json(data: Mapping[str, Any]) -> Intent:
    """The intent the ledger kept (`Intent.to_json`)."""
    fields = {k: v for k, v in data.items() if k != "kind"}
    for name in ("operations", "previous"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return INTENT_TYPES[str(data["kind"])](**fields)
