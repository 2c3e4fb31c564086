"""The connector's AWS calls in a window of the run, from the simulator's call log, and the
share of each AWS quota they use.

The simulator logs every request with its access key (connector/simulator/call_log.py),
so the connector's calls are told apart from the console administrator's and
counted over a window of the run: the feed's steady state, not the first sync.

The quotas (IAM Identity Center User Guide, "IAM Identity Center throttle limits";
CloudTrail API Reference, LookupEvents): sso-admin 20 requests/s shared by every
operation and every client of the account; identitystore 20/s per operation;
LookupEvents 2/s per account and region. Organizations throttles per operation
at a rate AWS does not publish for DescribeAccount or ListAccounts; the simulator
uses 10/s (bench/README.md), and so does the share here. SQS has no such quota.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# service -> (requests a second, whether each operation has its own)
QUOTAS = {
    "sso-admin": (20.0, False),
    "identitystore": (20.0, True),
    "cloudtrail": (2.0, True),
    "organizations": (10.0, True),
}
IDENTITY_CENTER = ("sso-admin", "identitystore", "organizations", "account")


@dataclass(frozen=True)
class Call:
    at: float
    key: str
    service: str
    operation: str
    outcome: str  # HTTP status, or the error code a throttled request was refused with


def read_calls(path: Path) -> list[Call]:
    calls = []
    for line in path.read_text(encoding="utf-8").splitlines():
        at, key, service, operation, outcome = line.split("\t")
        calls.append(Call(float(at), key, service, operation, outcome))
    return calls


def window(calls: list[Call], key: str, start: float, end: float) -> list[Call]:
    return [c for c in calls if c.key == key and start <= c.at <= end]


def by_operation(calls: list[Call]) -> dict[str, int]:
    counted = Counter(f"{c.service}:{c.operation}" for c in calls)
    return dict(sorted(counted.items()))


def throttled(calls: list[Call]) -> int:
    return sum(not c.outcome.isdigit() or c.outcome == "429" for c in calls)


def quota_shares(calls: list[Call], seconds: float) -> list[dict[str, Any]]:
    """Each quota's share used over `seconds`: the busiest operation's where per operation."""
    shares = []
    for service, (rate, per_operation) in QUOTAS.items():
        counted = Counter(
            c.operation if per_operation else "*" for c in calls if c.service == service
        )
        busiest, used = max(counted.items(), key=lambda item: item[1], default=("-", 0))
        shares.append(
            {
                "quota": service if service != "cloudtrail" else "cloudtrail:LookupEvents",
                "rate": rate,
                "per_operation": per_operation,
                "busiest_operation": busiest if per_operation else None,
                "calls": used,
                "share": round(used / (rate * seconds), 5) if seconds > 0 else None,
            }
        )
    return shares
