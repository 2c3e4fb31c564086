"""What guardrails need to know from AWS Organizations, read on demand and cached.

The management account and where an account sits (its OUs up to the root)
change rarely, so one read per process is enough; a read that fails is not
cached, and gives "unknown", which the guardrails treat as a match (they fail
closed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from connector.aws import AwsClients
from connector.errors import ConnectorError


class OrganizationFacts:
    def __init__(self, aws: Callable[[], AwsClients]) -> None:
        self._aws = aws
        self._lock = threading.Lock()
        self._management: str | None = None
        self._parents: dict[str, tuple[str, ...]] = {}

    def management_account_id(self) -> str | None:
        with self._lock:
            if self._management is None:
                try:
                    organization = self._aws().call("organizations", "DescribeOrganization")
                except ConnectorError:
                    return None
                self._management = str(organization["Organization"]["MasterAccountId"])
            return self._management

    def parents_of(self, account_id: str) -> tuple[str, ...]:
        """The account's OU ids and the root, nearest first (ListParents, walked up)."""
        with self._lock:
            if account_id not in self._parents:
                chain: list[str] = []
                child = account_id
                while True:
                    parents = list(self._aws().items("organizations", "ListParents", ChildId=child))
                    if not parents:
                        break
                    parent = parents[0]
                    chain.append(str(parent["Id"]))
                    if parent.get("Type") == "ROOT":
                        break
                    child = str(parent["Id"])
                self._parents[account_id] = tuple(chain)
            return self._parents[account_id]
