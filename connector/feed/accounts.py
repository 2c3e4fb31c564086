"""One AWS account, as Organizations describes it (DescribeAccount).

Created (CreateAccountResult), moved, closed, renamed (the Account Management
API's PutAccountName) or removed from the organization: the account's name and
status are read again, and its place by walking the organization's tree (as
the sync does: account events are rare, and a move can change any path); an
account Organizations no longer knows leaves the named accounts
(AccountNotFoundException).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from connector.aws import AwsClients
from connector.errors import AccessDeniedError, NotFoundError
from connector.readers.account_places import read_organization_tree
from connector.readers.instance import Instance
from connector.records import Account
from connector.store import write_through


@dataclass(frozen=True)
class AccountTarget:
    account_id: str

    def reread(self, aws: AwsClients, instance: Instance) -> Account | None:
        try:
            item = aws.call("organizations", "DescribeAccount", AccountId=self.account_id)
        except NotFoundError:
            return None
        found = item["Account"]
        account = Account(
            id=found["Id"],
            name=found.get("Name"),
            email=found.get("Email"),
            status=found.get("Status"),
        )
        try:
            tree = read_organization_tree(aws)
        except AccessDeniedError:  # a policy without the tree walk: the OU stays unknown
            return account
        return tree.placed((account,))[0]

    def settled(self, fresh: Account | None) -> bool:
        return True

    def apply(
        self, connection: sa.Connection, snapshot_id: int, fresh: Account | None, now: datetime
    ) -> int:
        if fresh is None:
            write_through.remove_account(connection, self.account_id, now, snapshot_id)
        else:
            write_through.put_account(connection, fresh, now, snapshot_id)
        return 1
