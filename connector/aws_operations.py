"""Every AWS operation the connector may call, declared once.

The seam (`aws.py`) refuses any operation that is not declared here, and the
least-privilege IAM policy (`iam_policy.py`) is generated from this table, so
the policy cannot drift from the code: a test checks that the operations the
code names are exactly the ones declared.

Page sizes are the maximum each API accepts (from the API references): asking
for the largest page is what keeps a sync within its call budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Access = Literal["read", "write"]

# IAM service prefixes differ from the boto3 service names for sso-admin.
IAM_PREFIX = {
    "sso-admin": "sso",
    "identitystore": "identitystore",
    "organizations": "organizations",
    "sts": "sts",
    "cloudtrail": "cloudtrail",
    "sqs": "sqs",
}

# CreateAccountAssignment, DeleteAccountAssignment and ProvisionPermissionSet make
# IAM Identity Center create and update roles and the SAML provider in the target
# account on the caller's behalf, so the caller needs these IAM actions too
# (IAM Identity Center User Guide, "Permissions required to use the IAM Identity
# Center console" and the AWSSSOMasterAccountAdministrator managed policy).
ROLE_MANAGEMENT_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:GetRole",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:PutRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:CreateSAMLProvider",
    "iam:GetSAMLProvider",
    "iam:UpdateSAMLProvider",
    "iam:DeleteSAMLProvider",
)


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    access: Access
    page_size: int | None = None  # MaxResults for paginated operations
    result_key: str | None = None  # the list a page carries
    needs_role_management: bool = False
    needs_permission: bool = True  # sts:GetCallerIdentity needs none
    # The IAM action, where it is not the operation's name (SQS's batch actions are
    # allowed by their single-message action).
    iam_name: str | None = None

    @property
    def iam_action(self) -> str:
        return f"{IAM_PREFIX[self.service]}:{self.iam_name or self.name}"


_DECLARED = (
    # sso-admin: instance, permission sets, provisioning, assignments
    Operation("sso-admin", "ListInstances", "read", 100, "Instances"),
    Operation("sso-admin", "ListPermissionSets", "read", 100, "PermissionSets"),
    Operation("sso-admin", "DescribePermissionSet", "read"),
    Operation(
        "sso-admin", "ListManagedPoliciesInPermissionSet", "read", 100, "AttachedManagedPolicies"
    ),
    Operation(
        "sso-admin",
        "ListCustomerManagedPolicyReferencesInPermissionSet",
        "read",
        100,
        "CustomerManagedPolicyReferences",
    ),
    Operation("sso-admin", "GetInlinePolicyForPermissionSet", "read"),
    Operation("sso-admin", "GetPermissionsBoundaryForPermissionSet", "read"),
    Operation("sso-admin", "ListTagsForResource", "read", None, "Tags"),
    Operation("sso-admin", "ListAccountsForProvisionedPermissionSet", "read", 100, "AccountIds"),
    Operation("sso-admin", "ListPermissionSetsProvisionedToAccount", "read", 100, "PermissionSets"),
    Operation("sso-admin", "ListAccountAssignments", "read", 100, "AccountAssignments"),
    Operation("sso-admin", "ListAccountAssignmentsForPrincipal", "read", 100, "AccountAssignments"),
    # sso-admin: applications and who is assigned to them
    Operation("sso-admin", "ListApplications", "read", 100, "Applications"),
    Operation("sso-admin", "GetApplicationAssignmentConfiguration", "read"),
    Operation("sso-admin", "ListApplicationAssignments", "read", 100, "ApplicationAssignments"),
    # what a deleted principal holds (revoked first), and one application again (the feed)
    Operation(
        "sso-admin",
        "ListApplicationAssignmentsForPrincipal",
        "read",
        100,
        "ApplicationAssignments",
    ),
    Operation("sso-admin", "DescribeApplication", "read"),
    # sso-admin writes: assignments are asynchronous, tracked by their request status
    Operation("sso-admin", "CreateAccountAssignment", "write", needs_role_management=True),
    Operation("sso-admin", "DeleteAccountAssignment", "write", needs_role_management=True),
    Operation("sso-admin", "DescribeAccountAssignmentCreationStatus", "write"),
    Operation("sso-admin", "DescribeAccountAssignmentDeletionStatus", "write"),
    # application assignments are synchronous: no status to track
    Operation("sso-admin", "CreateApplicationAssignment", "write"),
    Operation("sso-admin", "DeleteApplicationAssignment", "write"),
    # identitystore
    Operation("identitystore", "ListUsers", "read", 100, "Users"),
    Operation("identitystore", "ListGroups", "read", 100, "Groups"),
    Operation("identitystore", "ListGroupMemberships", "read", 100, "GroupMemberships"),
    Operation("identitystore", "ListGroupMembershipsForMember", "read", 100, "GroupMemberships"),
    # identitystore writes, and the reads that answer them (write-through, existence checks)
    Operation("identitystore", "DescribeUser", "read"),
    Operation("identitystore", "DescribeGroup", "read"),
    Operation("identitystore", "GetGroupMembershipId", "write"),
    Operation("identitystore", "GetUserId", "write"),
    Operation("identitystore", "GetGroupId", "write"),
    Operation("identitystore", "CreateUser", "write"),
    Operation("identitystore", "UpdateUser", "write"),
    Operation("identitystore", "DeleteUser", "write"),
    Operation("identitystore", "CreateGroup", "write"),
    Operation("identitystore", "UpdateGroup", "write"),
    Operation("identitystore", "DeleteGroup", "write"),
    Operation("identitystore", "CreateGroupMembership", "write"),
    Operation("identitystore", "DeleteGroupMembership", "write"),
    # organizations (optional: names and status of accounts)
    Operation("organizations", "DescribeOrganization", "read"),
    Operation("organizations", "ListAccounts", "read", 20, "Accounts"),
    Operation("organizations", "DescribeAccount", "read"),
    # where each account sits, walked from the root (connector/readers/account_places.py)
    Operation("organizations", "ListRoots", "read", 20, "Roots"),
    Operation(
        "organizations", "ListOrganizationalUnitsForParent", "read", 20, "OrganizationalUnits"
    ),
    Operation("organizations", "ListAccountsForParent", "read", 20, "Accounts"),
    # guardrails that name organizational units: where an account sits
    Operation("organizations", "ListParents", "write", 20, "Parents"),
    # the change feed (optional: IDCC_CHANGE_SOURCE): CloudTrail's event history,
    # or the SQS queue an EventBridge rule feeds
    Operation("cloudtrail", "LookupEvents", "read", 50, "Events"),
    Operation("sqs", "ReceiveMessage", "read"),
    # Applied messages are deleted ten a call; SQS allows that with sqs:DeleteMessage.
    Operation("sqs", "DeleteMessageBatch", "read", iam_name="DeleteMessage"),
    # sts: which account the credentials belong to (no permission needed)
    Operation("sts", "GetCallerIdentity", "read", needs_permission=False),
)

OPERATIONS: dict[tuple[str, str], Operation] = {(op.service, op.name): op for op in _DECLARED}


def operation(service: str, name: str) -> Operation:
    """The declared operation, or KeyError: an undeclared call is a bug."""
    return OPERATIONS[(service, name)]
