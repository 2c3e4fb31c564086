"""Which permission sets are provisioned to which accounts (sso-admin).

Two ways to learn the same pairs: per permission set
(ListAccountsForProvisionedPermissionSet) or per account
(ListPermissionSetsProvisionedToAccount). `connector.walk_plan` picks the one
with fewer calls.
"""

from __future__ import annotations

from connector.aws import AwsClients
from connector.records import ProvisionedPair


def pairs_for_permission_set(
    aws: AwsClients, instance_arn: str, permission_set_arn: str
) -> list[ProvisionedPair]:
    return [
        ProvisionedPair(account_id=account_id, permission_set_arn=permission_set_arn)
        for account_id in aws.items(
            "sso-admin",
            "ListAccountsForProvisionedPermissionSet",
            InstanceArn=instance_arn,
            PermissionSetArn=permission_set_arn,
        )
    ]


def pairs_for_account(aws: AwsClients, instance_arn: str, account_id: str) -> list[ProvisionedPair]:
    return [
        ProvisionedPair(account_id=account_id, permission_set_arn=arn)
        for arn in aws.items(
            "sso-admin",
            "ListPermissionSetsProvisionedToAccount",
            InstanceArn=instance_arn,
            AccountId=account_id,
        )
    ]
