"""Routes CloudTrail requests to the extended response class (see ssoadmin/urls.py)."""

from __future__ import annotations

from moto.cloudtrail.urls import url_bases

from .responses import CorrectedCloudTrailResponse

__all__ = ["url_bases", "url_paths"]

url_paths = {
    "{0}/$": CorrectedCloudTrailResponse.dispatch,
}
