"""`idc-connector simulator`: a seeded, simulated Identity Center as its own process.

The demo, the benchmark and the tests that kill a sync start it this way. It
prints its endpoint URL as its first line of output once it is ready, then
serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from connector.errors import ConfigError

from .behaviour import behaviour
from .loader import load_plan
from .seed import PRESETS, plan_organisation
from .server import start_server


def run_simulator(
    *,
    size: str,
    host: str,
    port: int,
    manifest_path: str | None,
    assignment_delay: float,
) -> int:
    if size not in PRESETS:
        raise ConfigError(f"unknown size {size!r}: choose one of {', '.join(PRESETS)}")
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    server, endpoint = start_server(host, port)
    try:
        manifest = load_plan(plan_organisation(PRESETS[size]))
        behaviour().update(assignment_delay_seconds=assignment_delay)
        if manifest_path:
            manifest.save(manifest_path)
        print(endpoint, flush=True)
        stop.wait()
    finally:
        server.stop()
    return 0
