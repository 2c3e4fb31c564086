"""Request quotas, injected latency and ThrottlingException, as AWS answers a busy client.

moto answers at once and never throttles, so against plain moto a benchmark
would measure neither how long a sync waits on the network nor whether it stays
under AWS's quotas. This module is a layer of moto's dispatch (dispatch.py:
``BaseResponse.call_action``, used by the in-process mock and by the server alike)
and, as ``behaviour()`` says:

- sleeps ``latency_seconds`` before answering any request, throttled or not
  (``behaviour().sleep``, injectable so that tests need not wait);
- admits each JSON-protocol request (it carries ``X-Amz-Target``) through the
  token bucket its quota names (``behaviour().quotas``, None: no quotas) and
  answers one over quota with the service's throttling error;
- throttles the share ``throttled_fraction`` of those requests at random, whatever
  the quotas say (the older knob, kept for tests of a sync under stray throttles),
  and the share ``throttled_operations[name]`` of one operation's requests (the
  fault suite aims a fault at each step of a write this way).

The quotas AWS documents (``aws_quotas``):

- IAM Identity Center User Guide, "IAM Identity Center throttle limits": the
  sso-admin APIs "have a collective throttle limit of 20 transactions per
  second"; the Identity Store APIs "have a throttle limit of 20 transactions per
  second (TPS) per API", per identity store. Both answer ``ThrottlingException``.
- AWS Organizations throttles per operation and answers
  ``TooManyRequestsException``; the rates we could read do not give ListAccounts'
  or DescribeOrganization's figure, so its rate is a parameter (default 10/s, the
  connector's own default pacing, ``IDCC_ORGANIZATIONS_RPS``).
- CloudTrail API Reference, LookupEvents: "The rate of lookup requests is
  limited to two per second, per account, per Region. If this limit is
  exceeded, a throttling error occurs." Only LookupEvents is counted; the
  simulator serves no other CloudTrail operation the connector calls.

AWS documents no burst for these quotas, so each bucket holds one second's worth
of tokens (its capacity equals its rate): a client that paces itself at the rate
is never throttled, one that sends a second's worth at once is throttled after it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import BaseResponse

from . import dispatch
from .behaviour import behaviour

THROTTLING_MESSAGE = "Rate exceeded"


@dataclass(frozen=True)
class Quota:
    """One service's documented request quota.

    ``per_operation``: each operation has a bucket of its own (identitystore),
    otherwise every operation of the service shares one (sso-admin).
    ``capacity``: the burst a full bucket allows; None means one second's rate.
    ``operations``: the operations the quota counts; None means all of the service's.
    """

    rate: float
    per_operation: bool = False
    error_code: str = "ThrottlingException"
    capacity: float | None = None
    operations: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.rate <= 0:
            raise ValueError("a quota's rate must be positive")
        if self.capacity is not None and self.capacity < 1:
            raise ValueError("a bucket must hold at least one request")

    @property
    def burst(self) -> float:
        return self.rate if self.capacity is None else self.capacity


# Clock readings are floats: 0.05 s at 20/s must refill a whole token, not 0.9999999.
_EPSILON = 1e-6


class TokenBucket:
    """``rate`` tokens a second, at most ``capacity`` saved up; one token a request.

    Not locked itself: `RequestQuotas` calls it under its own lock, since the
    ThreadedMotoServer admits requests from many threads at once.
    """

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._last = now

    def take(self, now: float) -> bool:
        # A clock that went back (a test swapped the clock) refills nothing.
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        if self._tokens >= 1.0 - _EPSILON:
            self._tokens -= 1.0
            return True
        return False


class RequestQuotas:
    """The buckets of a set of quotas, keyed by service (and operation where per operation).

    Install a fresh one with ``behaviour().update(quotas=aws_quotas())``: its
    buckets start full. Services without a quota here are never throttled.
    """

    def __init__(self, quotas: dict[str, Quota]) -> None:
        self.quotas = dict(quotas)
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def admit(self, service: str, operation: str, now: float) -> str | None:
        """None if the request is within quota, else the error code to answer with."""
        quota = self.quotas.get(service)
        if quota is None or (quota.operations is not None and operation not in quota.operations):
            return None
        key = (service, operation if quota.per_operation else "*")
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(quota.rate, quota.burst, now)
            admitted = bucket.take(now)
        return None if admitted else quota.error_code


def aws_quotas(*, organizations_rps: float = 10.0) -> RequestQuotas:
    """Fresh buckets for the quotas AWS documents (see the module docstring)."""
    return RequestQuotas(
        {
            "sso-admin": Quota(rate=20.0),
            "identitystore": Quota(rate=20.0, per_operation=True),
            "organizations": Quota(
                rate=organizations_rps, per_operation=True, error_code="TooManyRequestsException"
            ),
            "cloudtrail": Quota(rate=2.0, operations=frozenset({"LookupEvents"})),
        }
    )


QUOTA_PROFILES = ("none", "aws")


def quota_profile(name: str, *, organizations_rps: float = 10.0) -> RequestQuotas | None:
    """The quotas a profile names: "none" (moto's: no throttling) or "aws" (`aws_quotas`)."""
    if name == "none":
        return None
    if name == "aws":
        return aws_quotas(organizations_rps=organizations_rps)
    raise ValueError(f"unknown quota profile {name!r}: choose one of {', '.join(QUOTA_PROFILES)}")


def _throttle(response: BaseResponse, call_next: Callable[[], Any]) -> Any:
    settings = behaviour()
    target = response.headers.get("X-Amz-Target")
    refusal = None
    if target:
        operation = target.rsplit(".", 1)[-1]
        quotas = settings.current_quotas()
        if quotas is not None:
            refusal = quotas.admit(str(response.service_name), operation, settings.now())
        if refusal is None and settings.throttles_next_request(operation):
            refusal = "ThrottlingException"
    settings.wait_latency()
    if refusal is not None:
        raise JsonRESTError(refusal, THROTTLING_MESSAGE)
    return call_next()


def install() -> None:
    """Idempotent: throttles every request moto serves, in-process and in the server."""
    dispatch.install("throttling", _throttle)
