"""The Account Management API's PutAccountName, which moto 5.2.5 lacks (an extension)."""

from __future__ import annotations

from moto.account.models import account_backends

from ..patching import install_backend
from .models import CorrectedAccountBackend

__all__ = ["CorrectedAccountBackend", "install"]


def install() -> None:
    install_backend(account_backends, CorrectedAccountBackend)
