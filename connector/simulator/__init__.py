"""A simulated AWS IAM Identity Center: moto, corrected to behave like AWS.

Used by the demo, the test suite and the benchmark, in-process (``mock_aws`` or
``simulated_aws``) or as an HTTP server (``start_server``). Typical use::

    apply_corrections()                  # idempotent; also done by the helpers below
    manifest = load_plan(plan)           # inside mock_aws() or after start_server()
    behaviour().update(assignment_delay_seconds=2)

CloudTrail events of the writes it serves, LookupEvents and EventBridge
delivery: see ``connector.simulator.cloudtrail``.
"""

from __future__ import annotations

from .behaviour import (
    EventDelivery,
    ManualClock,
    OperationRequest,
    SimulatorBehaviour,
    behaviour,
    reset_behaviour,
)
from .corrections import apply_corrections
from .in_process import SimulatedAws, simulated_aws
from .loader import load_plan
from .manifest import Manifest
from .server import start_server

__all__ = [
    "EventDelivery",
    "Manifest",
    "ManualClock",
    "OperationRequest",
    "SimulatedAws",
    "SimulatorBehaviour",
    "apply_corrections",
    "behaviour",
    "load_plan",
    "reset_behaviour",
    "simulated_aws",
    "start_server",
]
