"""AWS accounts, named, from AWS Organizations (optional).

Organizations is the only source of account names, emails, status and place
(the OU each account sits in, connector/readers/account_places.py). It is
readable only from the management account or a delegated administrator; when
it is not readable the connector still works, knowing accounts only by the ids
that provisioning reveals.
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.aws import AwsClients
from connector.errors import AccessDeniedError, AwsCallError
from connector.readers.account_places import read_organization_tree
from connector.records import Account

# Organizations answers these when the caller cannot read the organization.
_UNAVAILABLE_CODES = frozenset(
    {"AWSOrganizationsNotInUseException", "AccessDeniedException", "AccessDenied"}
)


@dataclass(frozen=True)
class OrganizationView:
    """What Organizations told us; `accounts` is None when it could not be read."""

    accounts: tuple[Account, ...] | None
    management_account_id: str | None
    unavailable_reason: str | None = None
    organizational_units: int | None = None  # None: the tree was not walked


def read_organization(aws: AwsClients, mode: str) -> OrganizationView:
    """Accounts with names, or why they are unavailable (mode "on" makes that an error)."""
    if mode == "off":
        return OrganizationView(None, None, "disabled by IDCC_ORGANIZATIONS=off")
    try:
        organization = aws.call("organizations", "DescribeOrganization")["Organization"]
        accounts = tuple(
            Account(
                id=item["Id"],
                name=item.get("Name"),
                email=item.get("Email"),
                status=item.get("Status"),
            )
            for item in aws.items("organizations", "ListAccounts")
        )
    except (AccessDeniedError, AwsCallError) as exc:
        _raise_unless_unavailable(exc, mode)
        return OrganizationView(None, None, str(exc))
    management_account_id = organization.get("MasterAccountId")
    # A policy granting ListAccounts but not the tree walk leaves the OU unknown,
    # as the names are without ListAccounts.
    try:
        tree = read_organization_tree(aws)
    except (AccessDeniedError, AwsCallError) as exc:
        _raise_unless_unavailable(exc, mode)
        return OrganizationView(accounts, management_account_id)
    return OrganizationView(
        tree.placed(accounts), management_account_id, None, tree.organizational_units
    )


def _raise_unless_unavailable(exc: AccessDeniedError | AwsCallError, mode: str) -> None:
    code = getattr(exc, "code", None)
    if mode == "on" or not (isinstance(exc, AccessDeniedError) or code in _UNAVAILABLE_CODES):
        raise exc
