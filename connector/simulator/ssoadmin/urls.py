"""Routes sso-admin requests to the corrected response class.

moto finds a service's handlers in the ``urls`` module next to its backend class;
the corrected backend points here instead (``_url_module``), keeping moto's URL
patterns.
"""

from __future__ import annotations

from moto.ssoadmin.urls import url_bases

from .responses import CorrectedSSOAdminResponse

__all__ = ["url_bases", "url_paths"]

url_paths = {
    "{0}/$": CorrectedSSOAdminResponse.dispatch,
}
