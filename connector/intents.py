"""Write intents: one change to make in AWS, validated, before any call.

The write path runs request -> intents -> ledger -> AWS call -> tracked status
-> store. An intent names exactly one AWS change (one assignment, one
membership, one user or group), so that the ledger can record each one, a
failure can be undone step by step (`inverse`), and two requests for the same
change can be serialised on its `lock_key`.

This module is the contract every kind of change fulfils; each kind lives in
one module of `connector.writers` (assignments, memberships, users, groups),
which holds everything about it: the AWS request it makes (`calls`, used by
the real call and by a dry run alike), how it checks AWS and applies itself
(`apply`), how it is undone (`inverse`) and how it changes the served
snapshot (`change_store`, used when a step ends and when a sync's publish
replays writes). `connector.writers.registry` maps kinds to classes; nothing
else branches on the kind.

Intents are plain data: they round-trip through JSON (`to_json` /
`registry.intent_from_json`) because the ledger keeps them, and a restarted
service resumes from what it kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from connector.errors import ConnectorError, Failure, NotFoundError, failure_of
from connector.records import Provenance

if TYPE_CHECKING:
    import sqlalchemy as sa

    from connector.aws import AwsClients

PrincipalType = Literal["USER", "GROUP"]

# Stands for the id of the user or group the operation's first step creates,
# in the steps after it (a POST with members or entitlements): the id exists
# only once AWS has answered.
CREATED = "$created"


@dataclass(frozen=True)
class Target:
    """The Identity Center instance and identity store every call names."""

    instance_arn: str
    identity_store_id: str


@dataclass(frozen=True)
class AwsCall:
    """One AWS request, as a step sends it and as a dry run shows it."""

    service: str
    operation: str
    parameters: Mapping[str, Any]

    def send(self, aws: AwsClients) -> dict[str, Any]:
        return aws.call(self.service, self.operation, **self.parameters)

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "parameters": dict(self.parameters),
        }


@dataclass(frozen=True)
class StepOutcome:
    """How a step ended: AWS changed (succeeded), held it already (unchanged), or
    refused it (failed, with AWS's code and reason and what the failure means)."""

    status: str  # succeeded | unchanged | failed
    created_id: str | None = None
    error_code: str | None = None
    failure_reason: str | None = None
    result: dict[str, Any] | None = None  # the user or group as AWS now describes it
    failure: Failure | None = None


@dataclass(frozen=True)
class Finished:
    """A step that reached its target, as its store change needs it."""

    created_id: str | None
    result: dict[str, Any] | None
    at: datetime
    snapshot_id: int | None = None  # the snapshot to change; None: the current one
    # Who made the change, when the step made it (not when AWS held it already).
    provenance: Provenance | None = None


def write_provenance(
    status: str, at: datetime, token_name: str, operation_id: str
) -> Provenance | None:
    """The provenance a step's change gives what it made: the token that asked and
    its operation, when the step made the change rather than found it made."""
    return Provenance(at, token_name, operation_id) if status == "succeeded" else None


def changed(made: bool) -> str:
    """The status of a step that did (or found done already) what it asked."""
    return "succeeded" if made else "unchanged"


class StepContext(Protocol):
    """What a step is given by the runner (`connector.running`) to apply itself."""

    @property
    def aws(self) -> AwsClients: ...

    @property
    def target(self) -> Target: ...

    @property
    def request_id(self) -> str | None:
        """The AWS request id an earlier try of this step recorded, if any."""

    @property
    def tried_before(self) -> bool:
        """Whether an earlier try of this step may have reached AWS (a resume, a retry)."""

    def called(self, request_id: str | None) -> bool:
        """Record that AWS acted on the step's call (its request id), before any read
        that follows; whether the step changed AWS, now or in an earlier try."""

    def pause(self, what: str) -> None:
        """Wait before asking AWS again about a request still running; the operation
        is left open (to be resumed) when the step's time is up."""


@dataclass(frozen=True)
class Intent:
    """Base of every intent; `kind` names it in the ledger and in dry runs."""

    kind: ClassVar[str] = ""
    # Whether the change only takes access away (guardrails' change cap spares those).
    removes_access: ClassVar[bool] = False
    # Whether the step makes a user or group whose id names the operation's resource.
    creates: ClassVar[bool] = False

    @property
    def lock_key(self) -> str:
        """Requests for the same key are serialised: one AWS call at a time per key."""
        raise NotImplementedError

    @property
    def lock_keys(self) -> tuple[str, ...]:
        """Every key the step holds: its own, and its principal's where deleting the
        principal must wait for it (an operation takes all its keys at once)."""
        return (self.lock_key,)

    @property
    def subject(self) -> str | None:
        """The user or group the step concerns (`GET /Operations?principal=`)."""
        return None

    @property
    def revokes_principal(self) -> tuple[PrincipalType, str] | None:
        """The principal whose every assignment is revoked before this step runs."""
        return None

    def describe(self) -> str:
        """The step in a failure's message, for the administrator who reads it."""
        return self.kind.replace("_", " ")

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}

    def calls(self, target: Target) -> list[AwsCall]:
        """The AWS calls the step makes when its target is not reached yet."""
        raise NotImplementedError

    def apply(self, step: StepContext) -> StepOutcome:
        """Check AWS, then make the change unless AWS holds it already. Raises the
        connector's errors; the runner decides what they mean for the operation."""
        raise NotImplementedError

    def inverse(self, created_id: str | None) -> Intent | None:
        """The intent that undoes this one once it succeeded (None: nothing can).
        A deletion cannot be undone, so plans put deletions last."""
        return None

    def change_store(self, connection: sa.Connection, finished: Finished) -> None:
        """Show the finished step in the served snapshot, as the next sync would
        read it from AWS (when the step ends, and when a sync's publish replays it)."""
        raise NotImplementedError

    def failure(self, error: ConnectorError) -> Failure:
        """What AWS's refusal of this step means for the request."""
        return failure_of(error)


def principal_lock_key(principal_type: str, principal_id: str) -> str:
    """The key every assignment change of a principal and its deletion hold."""
    return f"principal|{principal_type}|{principal_id}"


def bind_created(intent: Intent, created_id: str | None) -> Intent:
    """The intent with `CREATED` replaced by the created id."""
    if created_id is None:
        return intent
    changes = {
        f.name: created_id for f in dataclasses.fields(intent) if getattr(intent, f.name) == CREATED
    }
    return dataclasses.replace(intent, **changes) if changes else intent


def request_id(response: Mapping[str, Any]) -> str:
    """AWS's id of the request that made a change (CloudTrail's `requestID`)."""
    # Every AWS answer carries one; "unknown" still records that AWS answered.
    return str(response.get("ResponseMetadata", {}).get("RequestId") or "unknown")


def gone(delete: Callable[[], Mapping[str, Any]]) -> str | None:
    """Run a deletion; its request id, or None when AWS no longer had the object
    (the goal is reached without a change)."""
    try:
        response = delete()
    except NotFoundError:
        return None
    return request_id(response)
