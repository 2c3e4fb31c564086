"""Routes Identity Store requests to the corrected response class (see ssoadmin/urls.py)."""

from __future__ import annotations

from moto.identitystore.urls import url_bases

from .responses import CorrectedIdentityStoreResponse

__all__ = ["url_bases", "url_paths"]

url_paths = {
    "{0}/$": CorrectedIdentityStoreResponse.dispatch,
}
