"""Knobs that make the simulated Identity Center behave like a slow or failing AWS.

Real IAM Identity Center answers CreateAccountAssignment, DeleteAccountAssignment
and ProvisionPermissionSet at once with ``Status: IN_PROGRESS`` and finishes the
work later; some requests end ``FAILED`` with a ``FailureReason``
(https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AccountAssignmentOperationStatus.html).
moto finishes everything at once and never fails, which hides every bug in a
status poller. The corrected backends read this module on each request so a test,
the demo or the benchmark can choose how long operations stay in progress and
which of them fail.

There is one behaviour per process because the simulator's backends are
process-wide too (moto keeps them in module globals, shared by ``mock_aws`` and by
a ``ThreadedMotoServer`` running in the same process). Server threads read it
while a test changes it, hence the lock.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # these modules read this one at run time, not the other way round
    from .cloudtrail.principals import Principal
    from .throttling import RequestQuotas

# The only FailureReason we have seen AWS give for an assignment that failed
# inside Identity Center rather than in IAM (quoted in pulumi/pulumi-aws#1927).
DEFAULT_FAILURE_REASON = "An unexpected internal service exception was encountered"

OperationKind = Literal["ASSIGNMENT_CREATION", "ASSIGNMENT_DELETION", "PERMISSION_SET_PROVISIONING"]


@dataclass(frozen=True)
class OperationRequest:
    """What a failure hook is told about an asynchronous sso-admin request.

    ``principal_type``/``principal_id`` are None for permission set provisioning;
    ``target_id`` is None when provisioning to ALL_PROVISIONED_ACCOUNTS.
    """

    kind: OperationKind
    request_id: str
    instance_arn: str
    permission_set_arn: str
    target_id: str | None
    principal_type: str | None = None
    principal_id: str | None = None


FailureHook = Callable[[OperationRequest], "str | None"]

# The two shapes of Identity Center's CloudTrail events (cloudtrail/principals.py,
# cloudtrail/record.py): before and since AWS's change of 14 July 2025.
CloudTrailShape = Literal["before-2025-07-14", "since-2025-07-14"]


@dataclass(frozen=True)
class EventDelivery:
    """When a recorded CloudTrail event reaches LookupEvents and EventBridge.

    CloudTrail "typically delivers logs within an average of about 5 minutes of
    an API call. This time is not guaranteed", and log files "aren't an ordered
    stack trace" (CloudTrail User Guide, get-and-view-cloudtrail-log-files;
    Identity Center User Guide, understanding-sso-entries); EventBridge delivers
    AWS service events "on a best effort basis", at least once. Each event
    arrives ``delay_seconds`` plus a uniform draw in ``[0, jitter_seconds]`` after
    its call (so later calls can arrive first); the share ``duplicate_fraction``
    of events is put on EventBridge a second time, with a draw of its own.
    Draws are seeded by ``seed`` and the event's place in its trail, so a run
    repeats.
    """

    delay_seconds: float = 0.0
    jitter_seconds: float = 0.0
    duplicate_fraction: float = 0.0
    seed: int = 7

    def __post_init__(self) -> None:
        if self.delay_seconds < 0 or self.jitter_seconds < 0:
            raise ValueError("delivery delays cannot be negative")
        if not 0.0 <= self.duplicate_fraction <= 1.0:
            raise ValueError("duplicate_fraction is a share, between 0 and 1")


class ManualClock:
    """A clock that only moves when told to, so tests never sleep.

    Install it with ``behaviour().update(clock=clock)`` before making the requests
    it should time (a request's due time is read from the clock it was made under),
    then call ``advance``.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@dataclass
class SimulatorBehaviour:
    """How the simulated Identity Center treats asynchronous requests.

    A request settles when ``clock()`` has advanced by the delay since it was
    made; it then fails if its principal or permission set is listed here or if
    ``failure_hook`` returns a reason, and succeeds otherwise.
    """

    assignment_delay_seconds: float = 0.0
    provisioning_delay_seconds: float = 0.0
    failing_principal_ids: set[str] = field(default_factory=set)
    failing_permission_set_arns: set[str] = field(default_factory=set)
    failure_reason: str = DEFAULT_FAILURE_REASON
    # Called when a request settles; a returned string fails it with that reason.
    # It runs under the backend's lock, so it must not call the simulator itself.
    failure_hook: FailureHook | None = None
    clock: Callable[[], float] = time.monotonic
    # ListAccountAssignmentsForPrincipal "retrieves ... the accounts that the
    # principal has access to", which for a user includes access through groups.
    # See corrections in ssoadmin/models.py; switchable in case AWS proves otherwise.
    principal_listing_includes_groups: bool = True
    # Share of sso-admin, identitystore and Organizations requests answered with
    # ThrottlingException, drawn from a seeded generator so a run is repeatable.
    throttled_fraction: float = 0.0
    # The same, per operation name ("DescribeAccountAssignmentCreationStatus": 0.85):
    # a fault aimed at one step of a write, drawn from the same seeded generator.
    throttled_operations: dict[str, float] = field(default_factory=dict)
    # Token buckets that answer requests over AWS's documented quotas with its
    # throttling error (throttling.py: ``aws_quotas()``); None: no quotas, as moto.
    # Read with ``behaviour().clock``, so a ManualClock paces them in tests.
    quotas: RequestQuotas | None = None
    # Seconds every request waits before it is answered, as a round trip to AWS
    # would; slept with ``sleep`` (a test can record instead of waiting).
    latency_seconds: float = 0.0
    sleep: Callable[[float], None] = time.sleep
    # CloudTrail events of successful writes (cloudtrail/): when they are
    # delivered, in which of AWS's two shapes, and who the caller of each
    # access key is (``cloudtrail.register_principal``; an unknown key is an IAM role
    # session, cloudtrail/principals.py).
    cloudtrail_delivery: EventDelivery = field(default_factory=EventDelivery)
    cloudtrail_shape: CloudTrailShape = "since-2025-07-14"
    principals: dict[str, Principal] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    _random: random.Random = field(
        default_factory=lambda: random.Random(7), repr=False, compare=False
    )
    # (time of day, clock reading) when the clock was installed: see ``wall_time``.
    _wall_anchor: tuple[float, float] = field(
        default_factory=lambda: (time.time(), time.monotonic()), repr=False, compare=False
    )

    def update(self, **changes: Any) -> None:
        """Change several knobs at once, atomically for the request threads."""
        names = {f.name for f in fields(self) if not f.name.startswith("_")}
        unknown = set(changes) - names
        if unknown:
            raise TypeError(f"unknown behaviour settings: {sorted(unknown)}")
        with self._lock:
            for name, value in changes.items():
                setattr(self, name, value)
            if "clock" in changes:
                self._wall_anchor = (time.time(), self.clock())

    def failure_for(self, request: OperationRequest) -> str | None:
        """The FailureReason this request ends with, or None if it succeeds."""
        with self._lock:
            failing_principals = set(self.failing_principal_ids)
            failing_sets = set(self.failing_permission_set_arns)
            reason = self.failure_reason
            hook = self.failure_hook
        if request.principal_id is not None and request.principal_id in failing_principals:
            return reason
        if request.permission_set_arn in failing_sets:
            return reason
        if hook is not None:
            return hook(request)
        return None

    def throttles_next_request(self, operation: str) -> bool:
        with self._lock:
            fraction = max(self.throttled_fraction, self.throttled_operations.get(operation, 0.0))
            return fraction > 0 and self._random.random() < fraction

    def current_quotas(self) -> RequestQuotas | None:
        with self._lock:
            return self.quotas

    def wait_latency(self) -> None:
        """Sleep the injected latency (outside the lock: requests wait side by side)."""
        with self._lock:
            seconds, sleep = self.latency_seconds, self.sleep
        if seconds > 0:
            sleep(seconds)

    def now(self) -> float:
        with self._lock:
            clock = self.clock
        return clock()

    def wall_time(self) -> float:
        """The time of day (seconds since the epoch) the simulated AWS reports.

        CloudTrail stamps events with the time of day (``eventTime``) and
        LookupEvents selects them by it, while delays run on ``clock``. Both must
        move together, so a ManualClock also moves the time of day: it reads as
        the time of day it was installed, plus how far it has been advanced since.
        """
        with self._lock:
            clock = self.clock
            wall_then, clock_then = self._wall_anchor
        return wall_then + (clock() - clock_then)

    def principal(self, access_key_id: str) -> Principal | None:
        """The caller registered for this access key, if any."""
        with self._lock:
            return self.principals.get(access_key_id)

    def add_principal(self, principal: Principal) -> None:
        """Attribute the requests signed with ``principal.access_key_id`` to it
        (``cloudtrail.register_principal`` checks the key first)."""
        with self._lock:
            self.principals = {**self.principals, principal.access_key_id: principal}

    def _reset(self) -> None:
        defaults = SimulatorBehaviour()
        with self._lock:
            for f in fields(self):
                if not f.name.startswith("_"):
                    setattr(self, f.name, getattr(defaults, f.name))
            self._random.seed(7)
            self._wall_anchor = (time.time(), self.clock())


_BEHAVIOUR = SimulatorBehaviour()


def behaviour() -> SimulatorBehaviour:
    """The process-wide behaviour the corrected backends read on each request."""
    return _BEHAVIOUR


def reset_behaviour() -> None:
    """Back to AWS-like defaults: no delay, nothing fails, the monotonic clock.

    Resets in place, so references to ``behaviour()`` stay valid.
    """
    _BEHAVIOUR._reset()
