"""Routes Account Management requests to the extended response class (see ssoadmin/urls.py)."""

from __future__ import annotations

from moto.account.urls import url_bases

from .responses import CorrectedAccountResponse

__all__ = ["url_bases", "url_paths"]

url_paths = {
    "{0}/putAlternateContact$": CorrectedAccountResponse.dispatch,
    "{0}/getAlternateContact$": CorrectedAccountResponse.dispatch,
    "{0}/deleteAlternateContact$": CorrectedAccountResponse.dispatch,
    "{0}/putAccountName$": CorrectedAccountResponse.dispatch,
}
