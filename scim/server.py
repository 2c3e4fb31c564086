"""`idc-connector serve`: gunicorn workers serving the app, plus a supervised sync process.

The periodic sync runs in its own process (`idc-connector sync --loop`) rather
than in a web worker: each worker would otherwise run its own sync, and a
sync's CPU work would slow the requests of the worker it ran in. gunicorn's
master supervises it (`scim.sync_supervisor`) from its own loop, the one
place that outlives every worker and sees every child end.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from connector.config import Settings, settings_to_env
from connector.leadership import process_name
from connector.logs import logging_environment
from scim.access_log import RedactingLogger
from scim.app import create_app
from scim.gunicorn_worker import ScimThreadWorker
from scim.sync_supervisor import SyncSupervisor

log = logging.getLogger(__name__)
# Bind addresses that are no address a client can use in a link.
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})
# How long a stopping sync may take to record itself as interrupted.
SYNC_STOP_SECONDS = 60.0


class _Arbiter(Arbiter):  # type: ignore[misc]
    """gunicorn's master, also supervising the sync process.

    Workers are forked from the master inside `manage_workers` and leave it by
    raising SystemExit through these methods: none acts on the sync process
    there (and the supervisor acts only in the process that created it).
    """

    def __init__(self, app: BaseApplication, sync: SyncSupervisor | None) -> None:
        self._sync = sync
        super().__init__(app)

    def manage_workers(self) -> None:
        super().manage_workers()
        if self._sync is not None:
            self._sync.manage()

    def reap_workers(self) -> None:
        # gunicorn's waitpid(-1) would reap the sync process too, and its
        # exit status with it: the supervisor reaps it first.
        if self._sync is not None:
            self._sync.reap()
        super().reap_workers()

    def stop(self, graceful: bool = True) -> None:
        # The sync is told to stop with the workers, then waited for.
        if self._sync is not None:
            self._sync.terminate()
        super().stop(graceful)
        if self._sync is not None:
            self._sync.stop(SYNC_STOP_SECONDS)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(
        self,
        settings: Settings,
        options: dict[str, Any],
        sync: SyncSupervisor | None,
        replica: str,
    ) -> None:
        self._settings = settings
        self._options = options
        self._sync = sync
        self._replica = replica
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = create_app(self._settings, replica=self._replica)
        # Each worker resumes write operations a dead process left open.
        app.extensions["idcc_provisioner"].start_resuming()
        return app

    def run(self) -> None:
        # BaseApplication.run, with the arbiter that supervises the sync.
        try:
            _Arbiter(self, self._sync).run()
        except RuntimeError as exc:
            log.error("gunicorn cannot start", extra={"error": str(exc)})
            sys.exit(1)


def serve(settings: Settings, *, listener: socket.socket, workers: int, sync: bool) -> int:
    """Serve on `listener` (bound by `scim.listener.bind_listener`, and now gunicorn's)."""
    host, port = listener.getsockname()[:2]
    if settings.public_url is None and not settings.trusted_proxies and host in _WILDCARDS:
        log.warning(
            "neither IDCC_PUBLIC_URL nor IDCC_TRUSTED_PROXIES is set: links in answers name "
            "the address the service listens on, which clients cannot reach; set the URL "
            "clients use, or trust the proxy that forwards it",
            extra={"listening": f"{host}:{port}"},
        )
    # This replica, as its sync process names itself in the sync lease: /ready and
    # /metrics say whether it leads (connector.leadership).
    replica = process_name()
    supervisor = None
    if sync:
        # The child reads exactly these settings, and logs as this process does:
        # nothing else of IDCC_ is inherited from the shell.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("IDCC_")}
        supervisor = SyncSupervisor(
            # Its summaries would be plain text among the log's JSON lines: its
            # log says how each sync ended.
            [
                *[sys.executable, "-m", "connector.cli", "sync", "--loop", "--quiet"],
                *["--replica", replica, "--stop-with-parent"],
            ],
            {**inherited, **logging_environment(), **settings_to_env(settings)},
        )
    _Gunicorn(
        settings,
        {
            # gunicorn takes the socket over (and closes this descriptor when it stops).
            "bind": f"fd://{listener.detach()}",
            "workers": workers,
            "threads": 4,
            "worker_class": ScimThreadWorker,
            # On: RedactingLogger hands its lines (and gunicorn's own) to the
            # connector's log on stderr, never to stdout.
            "accesslog": "-",
            # The access log must never carry a token or a filter value: no
            # header, and queries by their parameter names only.
            "logger_class": RedactingLogger,
            "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
            "graceful_timeout": 20,
            # gunicorn's control socket (for `gunicornc`) is one path per user
            # (~/.gunicorn/gunicorn.ctl): every serve and demo on a machine took
            # the same one, and the first to stop removed it under the others.
            # The service is run by its own commands and signals: none is opened.
            "control_socket_disable": True,
        },
        supervisor,
        replica,
    ).run()
    return 0
