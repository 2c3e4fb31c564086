"""`idc-connector check`: what an IGA platform's "test connection" should tell.

It proves, in order, that the credentials work, that the instance is found,
and that every IAM action the connector needs is allowed, naming each one
that is not. Each action is probed with one cheap call. AWS authorises a
request before it validates it, so a call on an id that does not exist
answers "not found" when allowed and "access denied" when not: the probes
never change anything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connector.aws import AwsClients
from connector.aws_operations import OPERATIONS, Operation
from connector.config import Settings
from connector.errors import AccessDeniedError, AwsCallError, ConnectorError
from connector.readers.instance import Instance, discover_instance


@dataclass(frozen=True)
class ProbeContext:
    instance: Instance
    account_id: str
    permission_set_arn: str
    group_id: str
    user_id: str
    queue_url: str | None = None


@dataclass(frozen=True)
class ActionResult:
    """One IAM action: allowed (True), denied (False), or not verified (None) when no
    call could test it without changing AWS: `check` never claims what it did not see."""

    action: str
    allowed: bool | None
    optional: bool
    detail: str = ""

    @property
    def verified(self) -> bool:
        return self.allowed is not None


@dataclass
class CheckReport:
    caller_arn: str | None = None
    account_id: str | None = None
    instance: Instance | None = None
    results: list[ActionResult] = field(default_factory=list)
    error: str | None = None
    error_exit_code: int = 0

    @property
    def missing(self) -> list[str]:
        return [r.action for r in self.results if r.allowed is False and not r.optional]

    @property
    def not_verified(self) -> list[str]:
        return [r.action for r in self.results if not r.verified]

    @property
    def ok(self) -> bool:
        return self.error is None and not self.missing


# Optional actions: the connector works without them. Organizations gives
# account names; ListAccountAssignmentsForPrincipal is used only from the
# management account, and AWS refuses it elsewhere whatever the policy says;
# ListApplicationAssignmentsForPrincipal only adds to what the store shows a
# deleted principal holds.
OPTIONAL_SERVICES = frozenset({"organizations"})
# The change feed's services: needed only by the source IDCC_CHANGE_SOURCE names.
FEED_SERVICES = {"cloudtrail": "cloudtrail", "sqs": "sqs"}
OPTIONAL_ACTIONS = frozenset(
    {"ListAccountAssignmentsForPrincipal", "ListApplicationAssignmentsForPrincipal"}
)

_FAKE_ID = "00000000-0000-0000-0000-000000000000"

Probe = Callable[[ProbeContext], dict[str, Any]]

# One probe (the call's parameters) per declared operation that needs a permission.
PROBES: dict[str, Probe] = {
    "ListInstances": lambda c: {"MaxResults": 1},
    "ListPermissionSets": lambda c: {"InstanceArn": c.instance.instance_arn, "MaxResults": 1},
    "DescribePermissionSet": lambda c: _ps(c),
    "ListManagedPoliciesInPermissionSet": lambda c: _ps(c) | {"MaxResults": 1},
    "ListCustomerManagedPolicyReferencesInPermissionSet": lambda c: _ps(c) | {"MaxResults": 1},
    "GetInlinePolicyForPermissionSet": lambda c: _ps(c),
    "GetPermissionsBoundaryForPermissionSet": lambda c: _ps(c),
    "ListTagsForResource": lambda c: {
        "InstanceArn": c.instance.instance_arn,
        "ResourceArn": c.permission_set_arn,
    },
    "ListAccountsForProvisionedPermissionSet": lambda c: _ps(c) | {"MaxResults": 1},
    "ListPermissionSetsProvisionedToAccount": lambda c: {
        "InstanceArn": c.instance.instance_arn,
        "AccountId": c.account_id,
        "MaxResults": 1,
    },
    "ListAccountAssignments": lambda c: _ps(c) | {"AccountId": c.account_id, "MaxResults": 1},
    "ListAccountAssignmentsForPrincipal": lambda c: {
        "InstanceArn": c.instance.instance_arn,
        "PrincipalType": "USER",
        "PrincipalId": c.user_id,
        "MaxResults": 1,
    },
    "ListApplications": lambda c: {"InstanceArn": c.instance.instance_arn, "MaxResults": 1},
    # On an application that does not exist: AWS answers ResourceNotFoundException
    # once the caller is allowed, AccessDeniedException otherwise.
    "GetApplicationAssignmentConfiguration": lambda c: {"ApplicationArn": _application(c)},
    "ListApplicationAssignments": lambda c: {"ApplicationArn": _application(c), "MaxResults": 1},
    "DescribeApplication": lambda c: {"ApplicationArn": _application(c)},
    "ListApplicationAssignmentsForPrincipal": lambda c: {
        "InstanceArn": c.instance.instance_arn,
        "PrincipalType": "USER",
        "PrincipalId": c.user_id,
        "MaxResults": 1,
    },
    "ListUsers": lambda c: {"IdentityStoreId": c.instance.identity_store_id, "MaxResults": 1},
    "ListGroups": lambda c: {"IdentityStoreId": c.instance.identity_store_id, "MaxResults": 1},
    "ListGroupMemberships": lambda c: {
        "IdentityStoreId": c.instance.identity_store_id,
        "GroupId": c.group_id,
        "MaxResults": 1,
    },
    "ListGroupMembershipsForMember": lambda c: {
        "IdentityStoreId": c.instance.identity_store_id,
        "MemberId": {"UserId": c.user_id},
        "MaxResults": 1,
    },
    "DescribeOrganization": lambda c: {},
    "DescribeAccount": lambda c: {"AccountId": c.account_id},
    "ListRoots": lambda c: {"MaxResults": 1},
    # On a root that does not exist: allowed, AWS answers ParentNotFoundException.
    "ListOrganizationalUnitsForParent": lambda c: {"ParentId": "r-0000", "MaxResults": 1},
    "ListAccountsForParent": lambda c: {"ParentId": "r-0000", "MaxResults": 1},
    "LookupEvents": lambda c: {"MaxResults": 1},
    # A message received with no visibility timeout stays visible to the feed.
    "ReceiveMessage": lambda c: {
        "QueueUrl": c.queue_url,
        "MaxNumberOfMessages": 1,
        "VisibilityTimeout": 0,
        "WaitTimeSeconds": 0,
    },
    "DeleteMessageBatch": lambda c: {
        "QueueUrl": c.queue_url,
        "Entries": [{"Id": "probe", "ReceiptHandle": "idcc-probe"}],
    },
    "ListAccounts": lambda c: {"MaxResults": 1},
    # Writes, probed on ids that do not exist: nothing is changed.
    "DescribeAccountAssignmentCreationStatus": lambda c: {
        "InstanceArn": c.instance.instance_arn,
        "AccountAssignmentCreationRequestId": _FAKE_ID,
    },
    "DescribeAccountAssignmentDeletionStatus": lambda c: {
        "InstanceArn": c.instance.instance_arn,
        "AccountAssignmentDeletionRequestId": _FAKE_ID,
    },
    # On the application that does not exist: nothing can be assigned or removed.
    "CreateApplicationAssignment": lambda c: _application_assignment(c),
    "DeleteApplicationAssignment": lambda c: _application_assignment(c),
    "DescribeUser": lambda c: _store(c) | {"UserId": _FAKE_ID},
    "DescribeGroup": lambda c: _store(c) | {"GroupId": _FAKE_ID},
    "GetGroupMembershipId": lambda c: (
        _store(c) | {"GroupId": _FAKE_ID, "MemberId": {"UserId": _FAKE_ID}}
    ),
    "UpdateUser": lambda c: (
        _store(c)
        | {"UserId": _FAKE_ID, "Operations": [{"AttributePath": "title", "AttributeValue": "x"}]}
    ),
    "DeleteUser": lambda c: _store(c) | {"UserId": _FAKE_ID},
    "UpdateGroup": lambda c: (
        _store(c)
        | {
            "GroupId": _FAKE_ID,
            "Operations": [{"AttributePath": "description", "AttributeValue": "x"}],
        }
    ),
    "DeleteGroup": lambda c: _store(c) | {"GroupId": _FAKE_ID},
    "CreateGroupMembership": lambda c: (
        _store(c) | {"GroupId": _FAKE_ID, "MemberId": {"UserId": _FAKE_ID}}
    ),
    "DeleteGroupMembership": lambda c: _store(c) | {"MembershipId": _FAKE_ID},
    "ListParents": lambda c: {"ChildId": c.account_id},
    "GetUserId": lambda c: _store(c) | _unique("userName"),
    "GetGroupId": lambda c: _store(c) | _unique("displayName"),
}

# Write actions that no call can probe without changing something (a creation
# with a made-up target would create, or start a request that AWS then fails):
# `check` names them as not verified instead of pretending to know.
UNPROBED: dict[str, str] = {
    "CreateAccountAssignment": "a probe would start a real assignment request",
    "DeleteAccountAssignment": "a probe would start a real deletion request",
    "CreateUser": "a probe would create a user",
    "CreateGroup": "a probe would create a group",
}


def _unique(path: str) -> dict[str, Any]:
    """An alternate identifier that names nothing (GetUserId / GetGroupId probes)."""
    return {
        "AlternateIdentifier": {
            "UniqueAttribute": {"AttributePath": path, "AttributeValue": f"idcc-probe-{_FAKE_ID}"}
        }
    }


def _store(c: ProbeContext) -> dict[str, Any]:
    return {"IdentityStoreId": c.instance.identity_store_id}


def _application(c: ProbeContext) -> str:
    """A well-formed ARN of an application of the instance that does not exist."""
    instance_id = c.instance.instance_arn.rsplit("/", 1)[-1]
    return f"arn:aws:sso::{c.account_id}:application/{instance_id}/apl-0000000000000000"


def _application_assignment(c: ProbeContext) -> dict[str, Any]:
    return {"ApplicationArn": _application(c), "PrincipalType": "USER", "PrincipalId": _FAKE_ID}


def _ps(c: ProbeContext) -> dict[str, Any]:
    return {"InstanceArn": c.instance.instance_arn, "PermissionSetArn": c.permission_set_arn}


def run_check(
    aws: AwsClients, settings: Settings, progress: Callable[[str], None] = lambda _: None
) -> CheckReport:
    """The report; `progress` is told each step as it starts, so that an endpoint that
    does not answer shows where `check` waits (each call is bounded: `cmd_check`)."""
    report = CheckReport()
    try:
        progress("credentials (sts:GetCallerIdentity)")
        identity = aws.call("sts", "GetCallerIdentity")
        report.caller_arn, report.account_id = identity.get("Arn"), identity.get("Account")
        progress("the Identity Center instance")
        report.instance = discover_instance(aws, settings)
    except ConnectorError as exc:
        report.error, report.error_exit_code = str(exc), exc.exit_code
        return report
    progress("the IAM actions, one call each")
    context = _context(aws, report.instance, report.account_id or "000000000000")
    context = dataclasses.replace(context, queue_url=settings.change_queue_url)
    for op in OPERATIONS.values():
        if not op.needs_permission:
            continue
        feed = FEED_SERVICES.get(op.service)
        if feed is not None and settings.change_source != feed:
            report.results.append(
                ActionResult(
                    op.iam_action,
                    None,
                    True,
                    f"not verified: the change feed does not use it "
                    f"(IDCC_CHANGE_SOURCE={settings.change_source})",
                )
            )
            continue
        if op.name in UNPROBED:
            report.results.append(
                ActionResult(op.iam_action, None, True, f"not verified: {UNPROBED[op.name]}")
            )
            continue
        report.results.append(_probe(aws, op, context))
    return report


def _context(aws: AwsClients, instance: Instance, account_id: str) -> ProbeContext:
    """Real ids where they can be read cheaply, well-formed unknown ones otherwise."""
    return ProbeContext(
        instance=instance,
        account_id=account_id,
        permission_set_arn=_first(
            aws,
            "sso-admin",
            "ListPermissionSets",
            lambda page: (page.get("PermissionSets") or [None])[0],
            f"{instance.instance_arn}/ps-0000000000000000",
            InstanceArn=instance.instance_arn,
        ),
        group_id=_first(
            aws,
            "identitystore",
            "ListGroups",
            lambda page: ((page.get("Groups") or [{}])[0]).get("GroupId"),
            _FAKE_ID,
            IdentityStoreId=instance.identity_store_id,
        ),
        user_id=_first(
            aws,
            "identitystore",
            "ListUsers",
            lambda page: ((page.get("Users") or [{}])[0]).get("UserId"),
            _FAKE_ID,
            IdentityStoreId=instance.identity_store_id,
        ),
    )


def _first(
    aws: AwsClients,
    service: str,
    name: str,
    pick: Callable[[dict[str, Any]], str | None],
    fallback: str,
    **params: Any,
) -> str:
    try:
        return pick(aws.call(service, name, MaxResults=1, **params)) or fallback
    except ConnectorError:
        return fallback  # the probe of that action reports the problem


def _probe(aws: AwsClients, op: Operation, context: ProbeContext) -> ActionResult:
    # Writes are needed only where the IGA platform provisions through the connector.
    optional = (
        op.service in OPTIONAL_SERVICES or op.name in OPTIONAL_ACTIONS or op.access == "write"
    )
    try:
        aws.call(op.service, op.name, **PROBES[op.name](context))
    except AccessDeniedError as exc:
        return ActionResult(op.iam_action, False, optional, str(exc))
    except AwsCallError as exc:
        # Authorised, then rejected for the made-up id or for the setup
        # (for example Organizations not in use): the permission is there.
        return ActionResult(op.iam_action, True, optional, f"{exc.code}")
    return ActionResult(op.iam_action, True, optional)
