"""Corrections to moto's Identity Store."""

from __future__ import annotations

from moto.identitystore.models import identitystore_backends

from ..patching import install_backend
from .models import CorrectedIdentityStoreBackend

__all__ = ["CorrectedIdentityStoreBackend", "install"]


def install() -> None:
    install_backend(identitystore_backends, CorrectedIdentityStoreBackend)
