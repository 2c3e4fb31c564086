"""Groups: CreateGroup, UpdateGroup and DeleteGroup in the Identity Store.

How the three are checked, applied and undone is shared with users
(`identity_objects`); this module names the group's operations, its unique
attribute (displayName) and its record and rows in the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import NotFoundError
from connector.intents import AwsCall, Finished, Intent, PrincipalType, Target
from connector.readers.groups import group_from_aws
from connector.store import write_through
from connector.store.codec import group_from_json, record_json
from connector.writers.identity_objects import (
    CreateObject,
    DeleteObject,
    IdentityObjects,
    UpdateObject,
)


class _Groups:
    noun = "group"
    principal_type: PrincipalType = "GROUP"

    def name_in(self, params: Mapping[str, Any]) -> str:
        return str(params.get("DisplayName", ""))

    def create(self, target: Target, params: Mapping[str, Any]) -> AwsCall:
        return AwsCall(
            "identitystore", "CreateGroup", {"IdentityStoreId": target.identity_store_id, **params}
        )

    def created_id(self, response: Mapping[str, Any]) -> str:
        return str(response["GroupId"])

    def update(
        self, target: Target, object_id: str, operations: tuple[Mapping[str, Any], ...]
    ) -> AwsCall:
        return AwsCall(
            "identitystore",
            "UpdateGroup",
            {
                "IdentityStoreId": target.identity_store_id,
                "GroupId": object_id,
                "Operations": list(operations),
            },
        )

    def delete(self, target: Target, object_id: str) -> AwsCall:
        return AwsCall(
            "identitystore",
            "DeleteGroup",
            {"IdentityStoreId": target.identity_store_id, "GroupId": object_id},
        )

    def find(self, aws: AwsClients, target: Target, name: str) -> str | None:
        try:
            response = aws.call(
                "identitystore",
                "GetGroupId",
                IdentityStoreId=target.identity_store_id,
                AlternateIdentifier={
                    "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": name}
                },
            )
        except NotFoundError:
            return None
        return str(response["GroupId"])

    def describe(self, aws: AwsClients, target: Target, object_id: str) -> dict[str, Any]:
        item = aws.call(
            "identitystore",
            "DescribeGroup",
            IdentityStoreId=target.identity_store_id,
            GroupId=object_id,
        )
        return record_json(group_from_aws(item))

    def put(self, connection: sa.Connection, described: dict[str, Any], finished: Finished) -> None:
        record = group_from_json(described)
        write_through.put_group(connection, record, finished.at, finished.snapshot_id)

    def remove(self, connection: sa.Connection, object_id: str, finished: Finished) -> None:
        write_through.remove_group(connection, object_id, finished.at, finished.snapshot_id)


GROUPS: IdentityObjects = _Groups()


@dataclass(frozen=True)
class CreateGroup(CreateObject):
    kind: ClassVar[str] = "create_group"
    objects: ClassVar[IdentityObjects] = GROUPS

    def deletion(self, object_id: str) -> Intent:
        return DeleteGroup(group_id=object_id)


@dataclass(frozen=True)
class UpdateGroup(UpdateObject):
    kind: ClassVar[str] = "update_group"
    objects: ClassVar[IdentityObjects] = GROUPS
    group_id: str = ""

    @property
    def object_id(self) -> str:
        return self.group_id


@dataclass(frozen=True)
class DeleteGroup(DeleteObject):
    kind: ClassVar[str] = "delete_group"
    objects: ClassVar[IdentityObjects] = GROUPS
    group_id: str = ""

    @property
    def object_id(self) -> str:
        return self.group_id
