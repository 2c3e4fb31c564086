"""moto's Organizations backend, corrected where it differs from AWS.

moto 5.2.5 pages ListAccounts 100 at a time and accepts any MaxResults, and
ListChildren ignores MaxResults and NextToken altogether. AWS pages all four
listings below with MaxResults 1-20
(https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html,
API_ListAccountsForParent.html, API_ListOrganizationalUnitsForParent.html,
API_ListChildren.html), so a client that ignores NextToken sees only 20 accounts.
When MaxResults is left out, "it defaults to a value that is specific to the
operation": we use the maximum, 20.

Out-of-range MaxResults is an InvalidInputException, Organizations' error for
malformed input (reason MAX_VALUE_EXCEEDED / MIN_VALUE_EXCEEDED in
https://docs.aws.amazon.com/organizations/latest/APIReference/API_InvalidInputException.html).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from moto.organizations.exceptions import InvalidInputException
from moto.organizations.models import (
    FakeAccount,
    FakeOrganizationalUnit,
    OrganizationsBackend,
)

from ..pagination import PageRule, page

_MAX = 20
ACCOUNTS = PageRule[dict[str, Any]](_MAX, _MAX, lambda account: str(account["Id"]))
ACCOUNT_OBJECTS = PageRule[FakeAccount](_MAX, _MAX, lambda account: account.id)
UNITS = PageRule[FakeOrganizationalUnit](_MAX, _MAX, lambda unit: unit.id)
CHILDREN = PageRule[dict[str, str]](_MAX, _MAX, lambda child: child["Id"])


class CorrectedOrganizationsBackend(OrganizationsBackend):
    def _adopt_moto_state(self) -> None:
        """Nothing to add to moto's state (see patching.py)."""

    @property
    def _url_module(self) -> ModuleType:
        """moto's own handlers suffice: they pass MaxResults/NextToken through."""
        import moto.organizations.urls

        return moto.organizations.urls

    def list_accounts(  # type: ignore[override]
        self, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        accounts = sorted(
            (account.describe() for account in self.accounts),
            key=lambda described: described["JoinedTimestamp"],
        )
        return page(accounts, ACCOUNTS, max_results, next_token, InvalidInputException)

    def list_accounts_for_parent(  # type: ignore[override]
        self, parent_id: str, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[FakeAccount], str | None]:
        parent_id = self.validate_parent_id(parent_id)
        accounts = sorted(
            (account for account in self.accounts if account.parent_id == parent_id),
            key=lambda account: account.create_time,
        )
        return page(accounts, ACCOUNT_OBJECTS, max_results, next_token, InvalidInputException)

    def list_organizational_units_for_parent(  # type: ignore[override]
        self, parent_id: str, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[FakeOrganizationalUnit], str | None]:
        parent_id = self.validate_parent_id(parent_id)
        units = [unit for unit in self.ou if unit.parent_id == parent_id]
        return page(units, UNITS, max_results, next_token, InvalidInputException)

    def list_children(self, **kwargs: Any) -> dict[str, Any]:
        children = super().list_children(ParentId=kwargs["ParentId"], ChildType=kwargs["ChildType"])
        listed, next_token = page(
            children["Children"],
            CHILDREN,
            kwargs.get("MaxResults"),
            kwargs.get("NextToken"),
            InvalidInputException,
        )
        return {"Children": listed, "NextToken": next_token}
