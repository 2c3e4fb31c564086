"""moto's Account Management backend, extended with PutAccountName.

Account Management API Reference, PutAccountName: "Updates the account name of
the specified account"; ``AccountId`` left out names the caller's own account,
and a member account is renamed from the organization's management account.
The name is the one Organizations then describes (DescribeAccount,
ListAccounts), so the simulator renames Organizations' account. An account the
organization does not hold is ResourceNotFoundException, as AWS answers.
CloudTrail records the call under ``account.amazonaws.com`` in us-east-1
(cloudtrail/record.py), as the change feed reads it.
"""

from __future__ import annotations

from types import ModuleType

from moto.account.models import AccountBackend
from moto.core.exceptions import JsonRESTError
from moto.organizations.models import organizations_backends


class ResourceNotFoundException(JsonRESTError):
    code = 404

    def __init__(self, account_id: str) -> None:
        super().__init__(
            "ResourceNotFoundException", f"The account {account_id} is not in the organization."
        )


class CorrectedAccountBackend(AccountBackend):
    def _adopt_moto_state(self) -> None:
        """Nothing to add to moto's state (see patching.py)."""

    @property
    def _url_module(self) -> ModuleType:
        """Route requests to the response class that serves PutAccountName."""
        from . import urls

        return urls

    def put_account_name(self, caller_account: str, account_id: str, name: str) -> None:
        organizations = organizations_backends[caller_account][self.region_name]
        for account in organizations.accounts:
            if account.id == account_id:
                account.name = name
                return
        raise ResourceNotFoundException(account_id)
