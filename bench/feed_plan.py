"""What the change feed's benchmark runs: a mode (how big, how long) and the two event sources.

Issue 11, item 7: on L, after the first full sync, mixed changes at 1 a second
for 5 minutes, under AWS's quotas and a realistic round trip (the sync
benchmark's "realistic" profile: 50 ms a request). The quick mode keeps the
same shape on the tiny organisation for 20 s, both sources side by side, to
finish well under two minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.sync_plan import PROFILES, Run


@dataclass(frozen=True)
class Mode:
    name: str
    dataset: str  # seed preset (connector/simulator/seed.py)
    seconds: float  # how long changes are made
    rate: float  # changes a second
    side_by_side: bool  # both sources at once (quick) or one after the other

    @property
    def changes(self) -> int:
        return round(self.seconds * self.rate)


MODES = {
    "full": Mode("full", "L", seconds=300.0, rate=1.0, side_by_side=False),
    "quick": Mode("quick", "tiny", seconds=20.0, rate=1.0, side_by_side=True),
}


@dataclass(frozen=True)
class Source:
    """An event source (IDCC_CHANGE_SOURCE) and the simulator's delivery delay for it.

    sqs: EventBridge to SQS, delivered 2 s after the call (the issue's target
    case). cloudtrail: LookupEvents at the simulator's default delay (0 s; AWS
    delivers in about 5 minutes on average, `--cloudtrail-delay 300` says so:
    the target is relative to the delay).
    """

    name: str
    delivery_delay: float


def sources(cloudtrail_delay: float) -> tuple[Source, ...]:
    return (Source("sqs", 2.0), Source("cloudtrail", cloudtrail_delay))


def simulator_run(mode: Mode) -> Run:
    """The dataset under the realistic profile (50 ms a request, AWS's quotas, paced)."""
    return Run(mode.dataset, PROFILES["realistic"])


# After the last change, how long the benchmark waits for the feed to show every
# change before it counts the rest as not seen: well past either target.
DRAIN_SECONDS = 120.0
