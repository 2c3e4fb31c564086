"""One wrapper around moto's dispatch, running the simulator's layers in a fixed order.

Two parts of the simulator act on every request moto serves, in-process
(``mock_aws``) and over HTTP (``ThreadedMotoServer``) alike, and both go through
``BaseResponse.call_action``: throttling (quotas, injected latency, throttled
answers) and CloudTrail (recording each successful write, delivering due
events). Wrapping that method once and calling the layers in a declared order
keeps them composable: installing one again replaces it rather than wrapping it
twice, and the order does not depend on which was installed first.

The order, outermost first: ``call_log`` (call_log.py, installed only when
asked for) logs every request with its outcome, a throttled one too;
``cloudtrail`` sees the final outcome of a request,
including a throttled one (raised, so not recorded, as AWS logs no successful
call for it), and stamps the event after the injected latency, when the request
completed (CloudTrail's ``eventTime``); ``throttling`` admits or refuses the
request before moto handles it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.core.responses import BaseResponse

# A layer gets the request being served and the rest of the chain to call.
Layer = Callable[[BaseResponse, Callable[[], Any]], Any]

ORDER = ("call_log", "cloudtrail", "throttling")

_layers: dict[str, Layer] = {}
_lock = threading.Lock()
_moto_call_action = BaseResponse.call_action


def _call_action(self: BaseResponse) -> Any:
    chain: Callable[[], Any] = lambda: _moto_call_action(self)  # noqa: E731
    for name in reversed(ORDER):
        layer = _layers.get(name)
        if layer is not None:
            chain = _bind(layer, self, chain)
    return chain()


def _bind(layer: Layer, response: BaseResponse, rest: Callable[[], Any]) -> Callable[[], Any]:
    return lambda: layer(response, rest)


def install(name: str, layer: Layer) -> None:
    """Idempotent: (re)install the layer ``name`` (one of ``ORDER``) around moto's dispatch."""
    if name not in ORDER:
        raise ValueError(f"unknown dispatch layer {name!r}: declare it in ORDER")
    with _lock:
        _layers[name] = layer
        BaseResponse.call_action = _call_action  # type: ignore[method-assign]


def remove(name: str) -> None:
    """Idempotent: take the layer ``name`` out of the chain (a test's call log)."""
    with _lock:
        _layers.pop(name, None)
