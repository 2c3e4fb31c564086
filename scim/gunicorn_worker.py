"""gunicorn's threaded worker, answering what gunicorn refuses itself with SCIM errors.

gunicorn refuses some requests before the app sees them: a request line over
4094 bytes (414), too many or too large headers (431), a malformed header or
request line (400). It answers those, and an app error that escaped Flask
(500), with an HTML page; SCIM clients read every error as an RFC 7644 §3.12
JSON body. gunicorn still chooses the status, logs the refusal and writes the
access log line: only the page it writes is replaced.
"""

from __future__ import annotations

import json
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from schemas.resources import dump_error
from scim.errors import HTTP_DETAILS, SCIM_MEDIA_TYPE


class ScimThreadWorker(ThreadWorker):  # type: ignore[misc]
    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        page = _PageCatcher()
        super().handle_error(req, page, addr, exc)
        status, reason = page.status()
        try:
            util.write_nonblock(client, scim_error_answer(status, reason))
        except OSError:
            self.log.debug("Failed to send error message.")


def scim_error_answer(status: int, reason: str) -> bytes:
    """A whole HTTP/1.1 answer whose body is the SCIM error for `status`."""
    body = json.dumps(dump_error(status, HTTP_DETAILS.get(status, reason))).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {SCIM_MEDIA_TYPE}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _PageCatcher:
    """Stands for the client's socket while gunicorn writes its page, to learn its status.

    gunicorn writes the page with `util.write_nonblock`, which sends at once
    (`sendall`) on a socket whose timeout is 0.
    """

    def __init__(self) -> None:
        self._written = b""

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self._written += data

    def status(self) -> tuple[int, str]:
        """The status line's code and reason; 500 when gunicorn wrote nothing."""
        line = self._written.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1].isdigit():
            return int(parts[1]), parts[2]
        return 500, "Internal Server Error"
