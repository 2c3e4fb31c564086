"""The simulated Identity Center as an HTTP endpoint on this machine.

The demo and the benchmark talk to it over HTTP, as the connector talks to AWS;
moto's ThreadedMotoServer serves from a thread of this process, so it shares the
corrected backends (and ``load_plan``'s data) with the caller. Corrections are
applied before the server starts: moto builds each service's routes on its first
request and keeps them.
"""

from __future__ import annotations

import logging

from moto.server import ThreadedMotoServer

from .corrections import apply_corrections


def start_server(
    host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True
) -> tuple[ThreadedMotoServer, str]:
    """Start a corrected moto server; returns it (call ``stop()``) and its endpoint URL.

    ``port=0`` lets the operating system choose a free port. ``quiet`` raises the
    level of werkzeug's (process-wide) logger so each request is not logged to
    stderr, which would slow a benchmark down.
    """
    apply_corrections()
    if quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    return server, f"http://{bound_host}:{bound_port}"
