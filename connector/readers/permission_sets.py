"""Permission sets and their details (sso-admin).

A permission set's policies are spread over six read operations; each is one
call for any realistic permission set (at most 20 managed policies, well under
one page), so reading P permission sets costs 6P calls.
"""

from __future__ import annotations

from connector.aws import AwsClients
from connector.errors import NotFoundError
from connector.records import (
    CustomerManagedPolicy,
    ManagedPolicy,
    PermissionsBoundary,
    PermissionSet,
)


def list_permission_set_arns(aws: AwsClients, instance_arn: str) -> list[str]:
    return list(aws.items("sso-admin", "ListPermissionSets", InstanceArn=instance_arn))


def read_permission_set(aws: AwsClients, instance_arn: str, arn: str) -> PermissionSet:
    ids = {"InstanceArn": instance_arn, "PermissionSetArn": arn}
    described = aws.call("sso-admin", "DescribePermissionSet", **ids)["PermissionSet"]
    managed = tuple(
        ManagedPolicy(arn=p["Arn"], name=p["Name"])
        for p in aws.items("sso-admin", "ListManagedPoliciesInPermissionSet", **ids)
    )
    customer = tuple(
        CustomerManagedPolicy(name=p["Name"], path=p.get("Path") or "/")
        for p in aws.items("sso-admin", "ListCustomerManagedPolicyReferencesInPermissionSet", **ids)
    )
    inline = aws.call("sso-admin", "GetInlinePolicyForPermissionSet", **ids).get("InlinePolicy")
    tags = tuple(
        (t["Key"], t.get("Value", ""))
        for t in aws.items(
            "sso-admin", "ListTagsForResource", InstanceArn=instance_arn, ResourceArn=arn
        )
    )
    return PermissionSet(
        arn=arn,
        name=described["Name"],
        description=described.get("Description"),
        session_duration=described.get("SessionDuration"),
        relay_state=described.get("RelayState"),
        managed_policies=managed,
        customer_managed_policies=customer,
        inline_policy=inline or None,
        permissions_boundary=_permissions_boundary(aws, ids),
        tags=tags,
        created_at=described.get("CreatedDate"),
    )


def _permissions_boundary(aws: AwsClients, ids: dict[str, str]) -> PermissionsBoundary | None:
    # AWS answers ResourceNotFoundException when the permission set has no boundary.
    try:
        boundary = aws.call("sso-admin", "GetPermissionsBoundaryForPermissionSet", **ids)
    except NotFoundError:
        return None
    value = boundary.get("PermissionsBoundary") or {}
    reference = value.get("CustomerManagedPolicyReference")
    return PermissionsBoundary(
        managed_policy_arn=value.get("ManagedPolicyArn"),
        customer_managed_policy=(
            CustomerManagedPolicy(name=reference["Name"], path=reference.get("Path") or "/")
            if reference
            else None
        ),
    )
