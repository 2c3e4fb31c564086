"""Users: CreateUser, UpdateUser and DeleteUser in the Identity Store.

How the three are checked, applied and undone is shared with groups
(`identity_objects`); this module names the user's operations, its unique
attribute (userName) and its record and rows in the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import NotFoundError
from connector.intents import AwsCall, Finished, Intent, PrincipalType, Target
from connector.readers.users import ENTERPRISE_EXTENSION, user_from_aws
from connector.store import write_through
from connector.store.codec import record_json, user_from_json
from connector.writers.identity_objects import (
    CreateObject,
    DeleteObject,
    IdentityObjects,
    UpdateObject,
)


class _Users:
    noun = "user"
    principal_type: PrincipalType = "USER"

    def name_in(self, params: Mapping[str, Any]) -> str:
        return str(params.get("UserName", ""))

    def create(self, target: Target, params: Mapping[str, Any]) -> AwsCall:
        return AwsCall(
            "identitystore", "CreateUser", {"IdentityStoreId": target.identity_store_id, **params}
        )

    def created_id(self, response: Mapping[str, Any]) -> str:
        return str(response["UserId"])

    def update(
        self, target: Target, object_id: str, operations: tuple[Mapping[str, Any], ...]
    ) -> AwsCall:
        return AwsCall(
            "identitystore",
            "UpdateUser",
            {
                "IdentityStoreId": target.identity_store_id,
                "UserId": object_id,
                "Operations": list(operations),
            },
        )

    def delete(self, target: Target, object_id: str) -> AwsCall:
        return AwsCall(
            "identitystore",
            "DeleteUser",
            {"IdentityStoreId": target.identity_store_id, "UserId": object_id},
        )

    def find(self, aws: AwsClients, target: Target, name: str) -> str | None:
        try:
            response = aws.call(
                "identitystore",
                "GetUserId",
                IdentityStoreId=target.identity_store_id,
                AlternateIdentifier={
                    "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": name}
                },
            )
        except NotFoundError:
            return None
        return str(response["UserId"])

    def describe(self, aws: AwsClients, target: Target, object_id: str) -> dict[str, Any]:
        item = aws.call(
            "identitystore",
            "DescribeUser",
            IdentityStoreId=target.identity_store_id,
            UserId=object_id,
            Extensions=[ENTERPRISE_EXTENSION],
        )
        return record_json(user_from_aws(item))

    def put(self, connection: sa.Connection, described: dict[str, Any], finished: Finished) -> None:
        record = user_from_json(described)
        write_through.put_user(connection, record, finished.at, finished.snapshot_id)

    def remove(self, connection: sa.Connection, object_id: str, finished: Finished) -> None:
        write_through.remove_user(connection, object_id, finished.at, finished.snapshot_id)


USERS: IdentityObjects = _Users()


@dataclass(frozen=True)
class CreateUser(CreateObject):
    kind: ClassVar[str] = "create_user"
    objects: ClassVar[IdentityObjects] = USERS

    def deletion(self, object_id: str) -> Intent:
        return DeleteUser(user_id=object_id)


@dataclass(frozen=True)
class UpdateUser(UpdateObject):
    kind: ClassVar[str] = "update_user"
    objects: ClassVar[IdentityObjects] = USERS
    user_id: str = ""

    @property
    def object_id(self) -> str:
        return self.user_id


@dataclass(frozen=True)
class DeleteUser(DeleteObject):
    kind: ClassVar[str] = "delete_user"
    objects: ClassVar[IdentityObjects] = USERS
    user_id: str = ""

    @property
    def object_id(self) -> str:
        return self.user_id
