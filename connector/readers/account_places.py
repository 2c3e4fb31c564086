"""Where each account sits in the organization: its parent OU, named, with its path.

The organization's tree is walked from the root: ListRoots, then per parent (the
root and each OU) ListOrganizationalUnitsForParent and ListAccountsForParent
(https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccountsForParent.html).
That is 1 + 2(O + 1) calls for O OUs (more only past 20 children a parent),
where asking per account (ListParents, then DescribeOrganizationalUnit per OU met)
costs A + O: organizations hold many more accounts than OUs, so the walk is cheaper.
The names come with the listing, so no DescribeOrganizationalUnit is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from connector.aws import AwsClients
from connector.records import Account


@dataclass(frozen=True)
class Place:
    """An account's parent: an OU, or the root (id "r-..."), with the path of names
    from the root down to it ("Root/Prod/Payments")."""

    ou_id: str
    ou_name: str
    ou_path: str


@dataclass(frozen=True)
class OrganizationTree:
    """Where every account sits, and how many OUs the walk met (the sync's call
    bound counts them: connector/walk_plan.py)."""

    places: dict[str, Place]
    organizational_units: int

    def placed(self, accounts: Iterable[Account]) -> tuple[Account, ...]:
        """The accounts with their parent filled in (left unknown for an account the
        walk did not meet, such as one that joined the organization meanwhile)."""
        return tuple(
            replace(account, ou_id=place.ou_id, ou_name=place.ou_name, ou_path=place.ou_path)
            if (place := self.places.get(account.id))
            else account
            for account in accounts
        )


def read_organization_tree(aws: AwsClients) -> OrganizationTree:
    """Every account's parent, walking from each root down."""
    places: dict[str, Place] = {}
    units = 0
    parents = [
        Place(root["Id"], root["Name"], root["Name"])
        for root in aws.items("organizations", "ListRoots")
    ]
    while parents:
        parent = parents.pop()
        for account in aws.items("organizations", "ListAccountsForParent", ParentId=parent.ou_id):
            places[account["Id"]] = parent
        children = [
            Place(unit["Id"], unit["Name"], f"{parent.ou_path}/{unit['Name']}")
            for unit in aws.items(
                "organizations", "ListOrganizationalUnitsForParent", ParentId=parent.ou_id
            )
        ]
        units += len(children)
        parents.extend(children)
    return OrganizationTree(places, units)
