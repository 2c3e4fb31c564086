"""ThrottlingException on demand, as AWS answers a client over its quota.

moto never throttles, so without this a test could not show that a sync
survives throttling (botocore retries ThrottlingException in its adaptive
mode). Requests of JSON-protocol services (sso-admin, identitystore,
Organizations: they carry `X-Amz-Target`) are throttled at the share that
`behaviour().throttled_fraction` sets; nothing is throttled by default.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import BaseResponse

from .behaviour import behaviour

_lock = threading.Lock()
_original = BaseResponse.call_action


def _call_action(self: BaseResponse) -> Any:
    if self.headers.get("X-Amz-Target") and behaviour().throttles_next_request():
        raise JsonRESTError("ThrottlingException", "Rate exceeded")
    return _original(self)


def install() -> None:
    """Idempotent: wraps moto's dispatch once, for the in-process mock and the server."""
    with _lock:
        BaseResponse.call_action = _call_action  # type: ignore[method-assign]
