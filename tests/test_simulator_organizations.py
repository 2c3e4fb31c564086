"""The simulated Organizations pages as AWS does, and keeps suspended accounts listed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from connector.simulator import SimulatedAws, simulated_aws


@pytest.fixture
def aws() -> Iterator[SimulatedAws]:
    with simulated_aws() as simulated:
        simulated.organizations.create_organization(FeatureSet="ALL")
        yield simulated


def create_accounts(aws: SimulatedAws, count: int) -> list[str]:
    return [
        aws.organizations.create_account(AccountName=f"acct{n}", Email=f"acct{n}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for n in range(count)
    ]


def pages_of(call: Any, key: str, **params: Any) -> list[list[Any]]:
    pages = []
    while True:
        page = call(**params)
        pages.append(page[key])
        if not page.get("NextToken"):
            return pages
        params["NextToken"] = page["NextToken"]


def test_list_accounts_pages_twenty_accounts_at_a_time(aws: SimulatedAws) -> None:
    created = create_accounts(aws, 24)
    pages = pages_of(aws.organizations.list_accounts, "Accounts")

    assert [len(page) for page in pages] == [20, 5]
    listed = [account["Id"] for page in pages for account in page]
    assert listed[1:] == created  # the management account joined first


def test_list_accounts_rejects_max_results_above_twenty(aws: SimulatedAws) -> None:
    aws.organizations.list_accounts(MaxResults=20)
    with pytest.raises(ClientError) as error:
        aws.organizations.list_accounts(MaxResults=21)
    assert error.value.response["Error"]["Code"] == "InvalidInputException"


def test_list_children_pages(aws: SimulatedAws) -> None:
    root_id = aws.organizations.list_roots()["Roots"][0]["Id"]
    create_accounts(aws, 4)
    pages = pages_of(
        aws.organizations.list_children,
        "Children",
        ParentId=root_id,
        ChildType="ACCOUNT",
        MaxResults=2,
    )
    assert [len(page) for page in pages] == [2, 2, 1]


def test_closed_account_is_listed_as_suspended(aws: SimulatedAws) -> None:
    (account_id,) = create_accounts(aws, 1)
    aws.organizations.close_account(AccountId=account_id)

    accounts = {a["Id"]: a for a in aws.organizations.list_accounts()["Accounts"]}
    assert accounts[account_id]["Status"] == "SUSPENDED"
