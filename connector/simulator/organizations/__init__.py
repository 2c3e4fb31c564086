"""Corrections to moto's Organizations."""

from __future__ import annotations

from moto.organizations.models import organizations_backends

from ..patching import install_backend
from .models import CorrectedOrganizationsBackend

__all__ = ["CorrectedOrganizationsBackend", "install"]


def install() -> None:
    install_backend(organizations_backends, CorrectedOrganizationsBackend)
