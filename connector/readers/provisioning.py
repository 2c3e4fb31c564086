"""Which permission sets are provisioned to which accounts (sso-admin).

Two ways to learn the same pairs: per permission set
(ListAccountsForProvisionedPermissionSet) or per account
(ListPermissionSetsProvisionedToAccount). `connector.walk_plan` picks the one
with fewer calls. Either, given `ProvisioningStatus`
LATEST_PERMISSION_SET_NOT_PROVISIONED, lists only the pairs whose copy in the
account predates the permission set's last change (the IAM role there still has
the old policies until ProvisionPermissionSet: API_ListAccountsForProvisionedPermissionSet.html,
API_ListPermissionSetsProvisionedToAccount.html in the sso-admin API reference).
"""

from __future__ import annotations

from connector.aws import AwsClients
from connector.records import ProvisionedPair

# The ProvisioningStatus filter value for copies older than the permission set.
NOT_LATEST = "LATEST_PERMISSION_SET_NOT_PROVISIONED"


def pairs_for_permission_set(
    aws: AwsClients, instance_arn: str, permission_set_arn: str, status: str | None = None
) -> list[ProvisionedPair]:
    return [
        ProvisionedPair(account_id=account_id, permission_set_arn=permission_set_arn)
        for account_id in aws.items(
            "sso-admin",
            "ListAccountsForProvisionedPermissionSet",
            InstanceArn=instance_arn,
            PermissionSetArn=permission_set_arn,
            **_status_filter(status),
        )
    ]


def pairs_for_account(
    aws: AwsClients, instance_arn: str, account_id: str, status: str | None = None
) -> list[ProvisionedPair]:
    return [
        ProvisionedPair(account_id=account_id, permission_set_arn=arn)
        for arn in aws.items(
            "sso-admin",
            "ListPermissionSetsProvisionedToAccount",
            InstanceArn=instance_arn,
            AccountId=account_id,
            **_status_filter(status),
        )
    ]


def _status_filter(status: str | None) -> dict[str, str]:
    return {"ProvisioningStatus": status} if status else {}
