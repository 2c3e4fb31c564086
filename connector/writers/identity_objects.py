"""What creating, updating and deleting a user and a group have in common.

The Identity Store's users and groups are written the same way (synchronous
calls, a unique name, AttributeOperations); what differs (the operations'
names, the unique attribute, the record and its store rows) is each kind's
`IdentityObjects`, in `users.py` and `groups.py`, where every AWS operation is
named literally.

A creation that may have reached AWS before (a resumed or retried step) first
looks its object up by its unique name, so a user is never made twice; an
update or a creation ends by describing the object, and the step keeps that
description (`result`) for the store and for a sync's replay; a deletion of
an object AWS no longer has reaches its goal without a change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import PreconditionFailed, RevisionConflict, WriteConflict
from connector.intents import (
    AwsCall,
    Finished,
    Intent,
    PrincipalType,
    StepContext,
    StepOutcome,
    Target,
    changed,
    gone,
    principal_lock_key,
    request_id,
)

# A conditional write read again and re-sent at most this often before it gives up.
REVISION_ATTEMPTS = 3


class IdentityObjects(Protocol):
    """One kind of Identity Store object (users or groups), as the writers need it."""

    noun: str  # "user" | "group": in lock keys
    principal_type: PrincipalType

    def name_in(self, params: Mapping[str, Any]) -> str:
        """The unique name a creation's parameters give the object."""

    def create(self, target: Target, params: Mapping[str, Any]) -> AwsCall: ...

    def created_id(self, response: Mapping[str, Any]) -> str: ...

    def update(
        self, target: Target, object_id: str, operations: tuple[Mapping[str, Any], ...]
    ) -> AwsCall: ...

    def delete(self, target: Target, object_id: str) -> AwsCall: ...

    def find(self, aws: AwsClients, target: Target, name: str) -> str | None:
        """The id of the object with this unique name, or None."""

    def describe(self, aws: AwsClients, target: Target, object_id: str) -> dict[str, Any]:
        """The object as AWS describes it now, as the ledger keeps it (record JSON)."""

    def put(self, connection: sa.Connection, described: dict[str, Any], finished: Finished) -> None:
        """The object as `described` shows in the snapshot."""

    def remove(self, connection: sa.Connection, object_id: str, finished: Finished) -> None: ...


@dataclass(frozen=True)
class _ObjectIntent(Intent):
    """A step on a user or group: it shows the object as AWS described it after the
    step (a deletion overrides it)."""

    objects: ClassVar[IdentityObjects]

    def change_store(self, connection: sa.Connection, finished: Finished) -> None:
        if finished.result is not None:
            self.objects.put(connection, finished.result, finished)


@dataclass(frozen=True)
class _ExistingObject(_ObjectIntent):
    """A step on a user or group that exists, named by its id.

    An update or delete is conditional: it is sent with the Revision of the object
    the request was planned against (`revision`, the served snapshot's), so a
    change made in the meantime is never overwritten unseen. When AWS answers that
    the object changed since: with the client's If-Match (`strict`) the write fails
    412, as RFC 7644 §3.14 asks; without, the object is read again and the step
    sent against its new revision, since its operations set only the attributes
    the request changed (the PATCH or PUT, planned again on the object as it is
    now, makes the same ones). A step tried before (a resume) may have changed
    the revision itself, so it is never held to the old one.
    """

    revision: str | None = None
    strict: bool = False

    @property
    def object_id(self) -> str:
        raise NotImplementedError

    def conditional(self, call: AwsCall, revision: str | None) -> AwsCall:
        """The call, sent only if the object is still at `revision` (None: unconditionally)."""
        if revision is None:
            return call
        return AwsCall(call.service, call.operation, {**call.parameters, "Revision": revision})

    def send_conditionally(self, step: StepContext, call: AwsCall) -> dict[str, Any]:
        revision = self.revision
        for _ in range(REVISION_ATTEMPTS):
            try:
                return self.conditional(call, revision).send(step.aws)
            except RevisionConflict:
                if self.strict and not step.tried_before:
                    raise PreconditionFailed(
                        f"the {self.objects.noun} {self.object_id} changed in AWS since the "
                        "version named by If-Match; read it again"
                    ) from None
                revision = self.objects.describe(step.aws, step.target, self.object_id).get(
                    "revision"
                )
        raise WriteConflict(
            f"the {self.objects.noun} {self.object_id} kept changing in AWS while "
            "this write was sent; try again"
        )

    @property
    def lock_key(self) -> str:
        return f"{self.objects.noun}|{self.object_id}"

    @property
    def subject(self) -> str | None:
        return self.object_id


@dataclass(frozen=True)
class CreateObject(_ObjectIntent):
    """Create a user or group with these request parameters (IdentityStoreId added
    when called)."""

    creates: ClassVar[bool] = True
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def lock_key(self) -> str:
        return f"{self.objects.noun}-name|{self.objects.name_in(self.params).lower()}"

    def calls(self, target: Target) -> list[AwsCall]:
        return [self.objects.create(target, self.params)]

    def apply(self, step: StepContext) -> StepOutcome:
        objects, name = self.objects, self.objects.name_in(self.params)
        # Tried before (a resume, a retry): that try may have made it.
        made_id = objects.find(step.aws, step.target, name) if step.tried_before else None
        if made_id is None:
            response = objects.create(step.target, self.params).send(step.aws)
            step.called(request_id(response))
            made_id = objects.created_id(response)
        described = objects.describe(step.aws, step.target, made_id)
        return StepOutcome("succeeded", created_id=made_id, result=described)

    def inverse(self, created_id: str | None) -> Intent | None:
        return self.deletion(created_id) if created_id else None

    def deletion(self, object_id: str) -> Intent:
        """The intent that deletes the object this one made."""
        raise NotImplementedError


@dataclass(frozen=True)
class UpdateObject(_ExistingObject):
    """UpdateUser / UpdateGroup with AttributeOperations; `previous` restores the old
    values."""

    operations: tuple[Mapping[str, Any], ...] = ()
    previous: tuple[Mapping[str, Any], ...] = ()

    def calls(self, target: Target) -> list[AwsCall]:
        call = self.objects.update(target, self.object_id, self.operations)
        return [self.conditional(call, self.revision)]

    def apply(self, step: StepContext) -> StepOutcome:
        if self.operations:
            call = self.objects.update(step.target, self.object_id, self.operations)
            step.called(request_id(self.send_conditionally(step, call)))
        described = self.objects.describe(step.aws, step.target, self.object_id)
        return StepOutcome(changed(bool(self.operations)), result=described)

    def inverse(self, created_id: str | None) -> Intent | None:
        # Right after this step: the revision is the one this step made.
        return dataclasses.replace(
            self, operations=self.previous, previous=self.operations, revision=None, strict=False
        )


@dataclass(frozen=True)
class DeleteObject(_ExistingObject):
    """Delete a user or group; with `revoke_assignments` its account assignments are
    revoked first, as found once the deletion holds the principal's locks."""

    removes_access: ClassVar[bool] = True
    revoke_assignments: bool = False

    @property
    def lock_keys(self) -> tuple[str, ...]:
        return (self.lock_key, principal_lock_key(self.objects.principal_type, self.object_id))

    @property
    def revokes_principal(self) -> tuple[PrincipalType, str] | None:
        if not self.revoke_assignments:
            return None
        return self.objects.principal_type, self.object_id

    def calls(self, target: Target) -> list[AwsCall]:
        return [self.conditional(self.objects.delete(target, self.object_id), self.revision)]

    def apply(self, step: StepContext) -> StepOutcome:
        call = self.objects.delete(step.target, self.object_id)
        return StepOutcome(changed(step.called(gone(lambda: self.send_conditionally(step, call)))))

    def change_store(self, connection: sa.Connection, finished: Finished) -> None:
        self.objects.remove(connection, self.object_id, finished)
