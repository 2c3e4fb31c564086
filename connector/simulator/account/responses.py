"""Account Management wire layer: moto's, plus PutAccountName (REST-JSON, POST /putAccountName)."""

from __future__ import annotations

from moto.account.models import account_backends
from moto.account.responses import AccountResponse
from moto.core.responses import ActionResult, EmptyResult

from .models import CorrectedAccountBackend


class CorrectedAccountResponse(AccountResponse):
    def put_account_name(self) -> ActionResult:
        backend = account_backends[self.current_account][self.partition]
        assert isinstance(backend, CorrectedAccountBackend)
        backend.put_account_name(
            self.current_account,
            self._get_param("AccountId") or self.current_account,
            self._get_param("AccountName"),
        )
        return EmptyResult()
