"""Group memberships: AddMember (CreateGroupMembership) and RemoveMember
(DeleteGroupMembership), synchronous in the Identity Store.

Before either call the membership is looked up in AWS (GetGroupMembershipId),
so adding a member twice or removing a non-member costs no write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import ConnectorError, Failure, NotFoundError
from connector.intents import (
    AwsCall,
    Finished,
    Intent,
    StepContext,
    StepOutcome,
    Target,
    changed,
    gone,
    request_id,
)
from connector.records import Membership
from connector.store import write_through


@dataclass(frozen=True)
class MembershipIntent(Intent):
    group_id: str
    user_id: str

    @property
    def lock_key(self) -> str:
        return f"membership|{self.group_id}|{self.user_id}"

    @property
    def subject(self) -> str | None:
        return self.user_id

    def describe(self) -> str:
        return f"{self.kind} user {self.user_id} in group {self.group_id}"

    def failure(self, error: ConnectorError) -> Failure:
        if isinstance(error, NotFoundError):
            # The member is what AWS did not find: the group itself exists (it was read).
            return Failure.INVALID_INPUT
        return super().failure(error)

    def membership_id(self, aws: AwsClients, target: Target) -> str | None:
        """The membership's id, or None when the user is not a member."""
        try:
            response = aws.call(
                "identitystore",
                "GetGroupMembershipId",
                IdentityStoreId=target.identity_store_id,
                GroupId=self.group_id,
                MemberId={"UserId": self.user_id},
            )
        except NotFoundError:
            return None
        return str(response["MembershipId"])


@dataclass(frozen=True)
class AddMember(MembershipIntent):
    """CreateGroupMembership."""

    kind: ClassVar[str] = "add_member"

    def calls(self, target: Target) -> list[AwsCall]:
        return [
            AwsCall(
                "identitystore",
                "CreateGroupMembership",
                {
                    "IdentityStoreId": target.identity_store_id,
                    "GroupId": self.group_id,
                    "MemberId": {"UserId": self.user_id},
                },
            )
        ]

    def apply(self, step: StepContext) -> StepOutcome:
        membership = self.membership_id(step.aws, step.target)
        made = step.request_id is not None  # an earlier try added it
        if membership is None:
            (call,) = self.calls(step.target)
            response = call.send(step.aws)
            made = step.called(request_id(response))
            membership = str(response["MembershipId"])
        return StepOutcome(changed(made), created_id=membership)

    def inverse(self, created_id: str | None) -> Intent | None:
        return RemoveMember(group_id=self.group_id, user_id=self.user_id)

    def change_store(self, connection: sa.Connection, finished: Finished) -> None:
        if finished.created_id is not None:
            membership = Membership(finished.created_id, self.group_id, self.user_id)
            write_through.add_member(
                connection, membership, finished.at, finished.snapshot_id, finished.provenance
            )


@dataclass(frozen=True)
class RemoveMember(MembershipIntent):
    """DeleteGroupMembership."""

    kind: ClassVar[str] = "remove_member"
    removes_access: ClassVar[bool] = True

    def calls(self, target: Target, membership_id: str | None = None) -> list[AwsCall]:
        # A dry run cannot know the id without asking AWS: it names what it stands for.
        shown = membership_id or f"(the membership of {self.user_id} in {self.group_id})"
        return [
            AwsCall(
                "identitystore",
                "DeleteGroupMembership",
                {"IdentityStoreId": target.identity_store_id, "MembershipId": shown},
            )
        ]

    def apply(self, step: StepContext) -> StepOutcome:
        membership = self.membership_id(step.aws, step.target)
        made = step.request_id is not None
        if membership is not None:
            (call,) = self.calls(step.target, membership)
            made = step.called(gone(lambda: call.send(step.aws)))
        return StepOutcome(changed(made))

    def inverse(self, created_id: str | None) -> Intent | None:
        return AddMember(group_id=self.group_id, user_id=self.user_id)

    def change_store(self, connection: sa.Connection, finished: Finished) -> None:
        write_through.remove_member(
            connection, self.group_id, self.user_id, finished.at, finished.snapshot_id
        )
