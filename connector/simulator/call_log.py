"""A log of every request the simulator serves: when, by whom, which operation, with what outcome.

The benchmark of the change feed (bench/run_feed.py) counts the calls the
connector makes per change and the share of each quota they use at steady
state. The connector's own counts live in its process and cover only it; the
simulator sees every caller, told apart by the access key that signed the
request (the connector's, the console administrator's), and when each call
came, so that a window of the run (the feed's steady state, not the first
full sync) can be counted on its own.

A dispatch layer (dispatch.py), outermost: it sees a throttled request's
refusal too. One tab-separated line a request: epoch seconds, access key id,
service, operation, and the HTTP status or the error code it was refused with.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from moto.core.exceptions import JsonRESTError
from moto.core.responses import BaseResponse

from . import dispatch


class CallLog:
    def __init__(self, path: Path) -> None:
        self._file: TextIO = path.open("a", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()

    def layer(self, response: BaseResponse, call_next: Callable[[], Any]) -> Any:
        outcome = "error"
        try:
            answer = call_next()
        except JsonRESTError as refused:
            outcome = str(refused.error_type)
            raise
        else:
            if isinstance(answer, tuple) and answer:
                outcome = str(answer[0])
            return answer
        finally:
            self._write(response, outcome)

    def _write(self, response: BaseResponse, outcome: str) -> None:
        line = "\t".join(
            (
                f"{time.time():.3f}",
                response.get_access_key(),
                str(response.service_name),
                str(response._get_action()),
                outcome,
            )
        )
        with self._lock:
            self._file.write(line + "\n")


def install(path: Path) -> None:
    """Log every request moto serves from now on to ``path`` (appended, a line each)."""
    dispatch.install("call_log", CallLog(path).layer)
