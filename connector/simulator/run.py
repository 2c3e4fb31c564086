"""`idc-connector simulator`: a seeded, simulated Identity Center as its own process.

The demo, the benchmark and the tests that kill a sync start it this way. It
prints its endpoint URL as its first line of output once it is ready, then
serves until SIGTERM or SIGINT.

``latency_ms`` and ``quotas`` make it answer like AWS under load (see
throttling.py); they take effect after seeding, so loading the plan is neither
slowed nor throttled. For the change feed's benchmark: ``event_delay`` is when
CloudTrail events reach LookupEvents and EventBridge (``EventDelivery``),
``console_key`` the access key of an administrator in the console (out-of-band
changes, cloudtrail/principals.py), and ``call_log`` a file logging every
request after seeding (call_log.py).
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

from connector.errors import ConfigError

from . import call_log
from .behaviour import EventDelivery, behaviour
from .cloudtrail import console_administrator, register_principal
from .loader import load_plan
from .seed import PRESETS, plan_organisation
from .server import start_server
from .throttling import QUOTA_PROFILES, quota_profile


def run_simulator(
    *,
    size: str,
    host: str,
    port: int,
    manifest_path: str | None,
    assignment_delay: float,
    latency_ms: float = 0.0,
    quotas: str = "none",
    organizations_rps: float = 10.0,
    event_delay: float = 0.0,
    console_key: str | None = None,
    call_log_path: str | None = None,
) -> int:
    if size not in PRESETS:
        raise ConfigError(f"unknown size {size!r}: choose one of {', '.join(PRESETS)}")
    if quotas not in QUOTA_PROFILES:
        raise ConfigError(f"unknown quotas {quotas!r}: choose one of {', '.join(QUOTA_PROFILES)}")
    if latency_ms < 0 or organizations_rps <= 0 or event_delay < 0:
        raise ConfigError("--latency-ms and --event-delay must be >= 0 and --organizations-rps > 0")
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    server, endpoint = start_server(host, port)
    try:
        manifest = load_plan(plan_organisation(PRESETS[size]))
        behaviour().update(
            assignment_delay_seconds=assignment_delay,
            latency_seconds=latency_ms / 1000.0,
            quotas=quota_profile(quotas, organizations_rps=organizations_rps),
            cloudtrail_delivery=EventDelivery(delay_seconds=event_delay),
        )
        if console_key:
            register_principal(console_administrator(console_key))
        if call_log_path:
            call_log.install(Path(call_log_path))
        if manifest_path:
            manifest.save(manifest_path)
        print(endpoint, flush=True)
        stop.wait()
    finally:
        server.stop()
    return 0
