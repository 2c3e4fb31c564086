"""What the sync benchmark runs: datasets (seed presets) times profiles (how AWS answers).

The profiles are issue 5's: no latency and no quotas measures the client's own
CPU (pacing off, or the connector would wait on itself); 10 ms latency under
AWS's quotas is throttle-bound, so wall time should approach the quota floor;
50 ms latency under the quotas is what a sync sees from a machine near the region.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """How the simulator answers and how the connector paces itself.

    ``wall_target``: the most wall time may exceed the throttle floor, as a
    ratio, on the datasets the issue names (M and L); None: no such target.
    """

    name: str
    latency_ms: float
    quotas: str  # the simulator's --quotas: "aws" or "none"
    paced: bool  # False raises the connector's pacing out of the way
    wall_target: float | None = None

    @property
    def quota_bound(self) -> bool:
        return self.quotas != "none"


PROFILES: dict[str, Profile] = {
    "cpu": Profile("cpu", latency_ms=0.0, quotas="none", paced=False),
    "throttle": Profile("throttle", latency_ms=10.0, quotas="aws", paced=True, wall_target=1.10),
    "realistic": Profile("realistic", latency_ms=50.0, quotas="aws", paced=True, wall_target=1.15),
}

# Seed presets (connector/simulator/seed.py); XL is for the serving benchmark only.
FULL_DATASETS = ("S", "M", "M-dense", "M-stale", "L")
QUICK_DATASETS = ("S", "M")
QUICK_PROFILES = ("cpu", "throttle")

# The datasets on which the wall-time targets apply (issue 5, "Targets").
WALL_TARGET_DATASETS = ("M", "L")

# Pacing high enough never to wait: the "no throttle" profile measures the client alone.
UNPACED_RPS = "100000"


@dataclass(frozen=True)
class Run:
    dataset: str
    profile: Profile

    @property
    def label(self) -> str:
        return f"{self.dataset}/{self.profile.name}"


def plan_runs(datasets: tuple[str, ...], profiles: tuple[str, ...]) -> list[Run]:
    """Every dataset under every profile, dataset by dataset."""
    return [Run(dataset, PROFILES[name]) for dataset in datasets for name in profiles]
