"""AWS accounts, named, from AWS Organizations (optional).

Organizations is the only source of account names, emails and status. It is
readable only from the management account or a delegated administrator; when
it is not readable the connector still works, knowing accounts only by the ids
that provisioning reveals.
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.aws import AwsClients
from connector.errors import AccessDeniedError, AwsCallError
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
        code = getattr(exc, "code", None)
        if mode == "on" or not (isinstance(exc, AccessDeniedError) or code in _UNAVAILABLE_CODES):
            raise
        return OrganizationView(None, None, str(exc))
    return OrganizationView(accounts, organization.get("MasterAccountId"))
