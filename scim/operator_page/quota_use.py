"""How much of each AWS request quota a sync used, from the calls the store recorded for it.

The connector paces itself under each quota (connector.aws, connector.ratelimit):
one pace shared by all sso-admin operations, one per Identity Store operation,
one shared by Organizations' operations, one for CloudTrail's LookupEvents
(IAM Identity Center User Guide, "Throttling limits"; CloudTrail API
Reference, LookupEvents: 2 requests a second per account and region). A
sync's record keeps its calls by operation (`syncs.aws`, connector.call_stats),
so its average rate against that pace says how close it ran to the quota;
a share near 1 is a sync bound by AWS's quota, not by the store or the network.

The change feed's LookupEvents calls are not recorded in the store (feed_health
keeps how far it has read, not what it cost), so that quota shows only what
syncs called, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.config import Settings


@dataclass(frozen=True)
class Quota:
    """One AWS request quota as the connector paces under it."""

    name: str  # shown to the operator
    service: str  # the boto3 service name that prefixes the recorded call keys
    setting: str  # the Settings field holding the pace, in requests a second
    per_operation: bool  # each operation has its own quota (identitystore)
    only: str | None = None  # the one operation the quota covers, when it covers one


QUOTAS = (
    Quota("sso-admin", "sso-admin", "sso_admin_rps", per_operation=False),
    Quota("identitystore", "identitystore", "identitystore_rps", per_operation=True),
    Quota("Organizations", "organizations", "organizations_rps", per_operation=False),
    Quota("LookupEvents", "cloudtrail", "lookup_events_rps", False, only="LookupEvents"),
)
FEED_CALLS_UNRECORDED = "the change feed's calls are not recorded in the store"


def quota_use(
    calls: dict[str, int],
    throttles: dict[str, int],
    seconds: float,
    settings: Settings,
) -> list[dict[str, Any]]:
    """Each quota's calls, throttles and average share of its pace over a sync of
    `seconds`; `calls` and `throttles` are keyed `service:Operation`, as recorded."""
    return [_one(quota, calls, throttles, seconds, settings) for quota in QUOTAS]


def _one(
    quota: Quota,
    calls: dict[str, int],
    throttles: dict[str, int],
    seconds: float,
    settings: Settings,
) -> dict[str, Any]:
    mine = _of(quota, calls)
    pace: float = getattr(settings, quota.setting)
    busiest = max(mine, key=lambda op: mine[op]) if mine else None
    # A per-operation quota is as used as its busiest operation; a shared one by all.
    counted = mine[busiest] if quota.per_operation and busiest else sum(mine.values())
    share = counted / seconds / pace if seconds > 0 else None
    note = None
    if quota.service == "cloudtrail" and settings.change_source == "cloudtrail":
        note = FEED_CALLS_UNRECORDED
    return {
        "quota": quota.name,
        "setting": f"IDCC_{quota.setting.upper()}",
        "pace_per_second": pace,
        "per_operation": quota.per_operation,
        "calls": sum(mine.values()),
        "busiest_operation": busiest if quota.per_operation else None,
        "throttles": sum(_of(quota, throttles).values()),
        "share": None if share is None else round(share, 4),
        "note": note,
    }


def _of(quota: Quota, counted: dict[str, int]) -> dict[str, int]:
    """The operations of `counted` under `quota`: operation name -> count."""
    found = {}
    for key, count in counted.items():
        service, _, operation = key.partition(":")
        if service == quota.service and quota.only in (None, operation):
            found[operation] = count
    return found
