"""`idc-connector serve`: gunicorn workers serving the app, plus a sync process.

The periodic sync runs in its own process (`idc-connector sync --loop`) rather
than in a web worker: each worker would otherwise run its own sync, and a
sync's CPU work would slow the requests of the worker it ran in.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from connector.config import Settings, settings_to_env
from scim.access_log import RedactingLogger
from scim.app import create_app
from scim.gunicorn_worker import ScimThreadWorker

log = logging.getLogger(__name__)
# Bind addresses that are no address a client can use in a link.
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = create_app(self._settings)
        # Each worker resumes write operations a dead process left open.
        app.extensions["idcc_provisioner"].start_resuming()
        return app


def serve(settings: Settings, *, host: str, port: int, workers: int, sync: bool) -> int:
    if settings.public_url is None and host in _WILDCARDS:
        log.warning(
            "IDCC_PUBLIC_URL is not set: links in answers name the address the service "
            "listens on, which clients cannot reach; set it to the URL clients use",
            extra={"listening": f"{host}:{port}"},
        )
    sync_process = None
    if sync:
        # The child reads exactly these settings: none inherited from the shell.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("IDCC_")}
        sync_process = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "sync", "--loop"],
            env={**inherited, **settings_to_env(settings)},
        )
    try:
        _Gunicorn(
            settings,
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": 4,
                "worker_class": ScimThreadWorker,
                "accesslog": "-",
                # The access log must never carry a token or a filter value: no
                # header, and queries by their parameter names only.
                "logger_class": RedactingLogger,
                "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
                "graceful_timeout": 20,
            },
        ).run()
    finally:
        if sync_process is not None:
            sync_process.terminate()
            try:
                sync_process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                sync_process.kill()
                sync_process.wait()
    return 0
