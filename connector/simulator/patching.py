"""Swap moto's backend class for a corrected subclass, idempotently.

moto builds a service's backends lazily from ``BackendDict.backend`` (and each
account's ``AccountSpecificBackend.backend``), and routes requests to the handlers
its backend's ``_url_module`` names. Both the in-process mock (``mock_aws``) and a
``ThreadedMotoServer`` in the same process go through those objects, so replacing
the class there corrects both; the corrected class points ``_url_module`` at our
corrected response class.

Backends that already exist (created before the corrections were applied) are
converted in place rather than reset, so nothing a caller created is lost; their
``_adopt_moto_state`` builds the corrected bookkeeping from moto's.
"""

from __future__ import annotations

from typing import Any, Protocol

from moto.core.base_backend import BackendDict, BaseBackend, backend_lock


class CorrectedBackend(Protocol):
    def _adopt_moto_state(self) -> None: ...


def install_backend(backend_dict: BackendDict[Any], corrected: type[BaseBackend]) -> None:
    """Make every present and future backend of ``backend_dict`` an instance of ``corrected``."""
    with backend_lock:
        backend_dict.backend = corrected
        for account_backends in backend_dict.values():
            account_backends.backend = corrected
            for backend in account_backends.values():
                if type(backend) is not corrected:
                    backend.__class__ = corrected
                    adopted: CorrectedBackend = backend
                    adopted._adopt_moto_state()
