"""The service's listening socket, bound before anything else starts.

`serve` and `demo` bind it first and hand it to gunicorn (`fd://`): a port in
use is one clear message before the store is migrated, a demo's folder is
cleaned or a sync process starts, and once bound the port is the service's
from its first line of output to its last. gunicorn alone would find the port
taken only after all that, retry it for five seconds and exit 1.
"""

from __future__ import annotations

import errno
import socket

from connector.errors import ConfigError

_REFUSALS = {
    errno.EADDRINUSE: "is in use (another service, or another serve or demo, listens there)",
    errno.EADDRNOTAVAIL: "is not an address of this host",
    errno.EACCES: "needs privileges this user lacks (ports below 1024)",
}


def bind_listener(host: str, port: int) -> socket.socket:
    """A socket listening on `host`:`port`, or a ConfigError saying why it cannot be."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise ConfigError(f"--host {host!r} is not a host name or address: {exc}") from None
    listener = socket.socket(family, kind, proto)
    # As gunicorn does: a restarted service may bind while old connections close.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        reason = _REFUSALS.get(exc.errno or 0, f"cannot be listened on: {exc.strerror}")
        raise ConfigError(f"{host}:{port} {reason}; choose another with --host/--port") from None
    return listener
