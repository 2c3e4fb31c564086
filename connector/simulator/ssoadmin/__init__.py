"""Corrections to moto's sso-admin (IAM Identity Center admin API)."""

from __future__ import annotations

from moto.ssoadmin.models import ssoadmin_backends

from ..patching import install_backend
from .models import CorrectedSSOAdminBackend

__all__ = ["CorrectedSSOAdminBackend", "install"]


def install() -> None:
    install_backend(ssoadmin_backends, CorrectedSSOAdminBackend)
