"""What each AWS event may have changed: the targets the feed re-reads.

One table, keyed by (event source, event name), from the IAM Identity Center
User Guide's CloudTrail pages ("IAM Identity Center information in
CloudTrail", "Logging AWS IAM Identity Center SCIM API calls"), the
Organizations and Account Management logging pages, and each API's request
and response shapes (CloudTrail writes their members in lowerCamelCase).
Identity Store changes arrive under three sources: its public API
(`identitystore`), the console (`sso-directory`) and SCIM provisioning from an
external identity provider (`identitystore-scim`). An event the table does not
name changes nothing the connector serves (reads, settings), but for a
sign-in (`used_in`): a fact in itself, kept as the access's last use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connector.feed.accounts import AccountTarget
from connector.feed.applications import ApplicationTarget
from connector.feed.assignments import PairAssignments
from connector.feed.events import ChangeEvent
from connector.feed.groups import GroupTarget
from connector.feed.memberships import GroupMembers
from connector.feed.permission_sets import PermissionSetTarget
from connector.feed.targets import Target
from connector.feed.users import UserTarget
from connector.records import ApplicationAssignment, Assignment, Provenance, SignIn

SSO = "sso.amazonaws.com"
IDENTITY_STORE = "identitystore.amazonaws.com"
CONSOLE_DIRECTORY = "sso-directory.amazonaws.com"
SCIM = "identitystore-scim.amazonaws.com"
ORGANIZATIONS = "organizations.amazonaws.com"
ACCOUNT = "account.amazonaws.com"

# The sources in Identity Center's home region; Organizations and Account
# Management log in us-east-1 only.
REGIONAL_SOURCES = (SSO, IDENTITY_STORE, CONSOLE_DIRECTORY, SCIM)
GLOBAL_SOURCES = (ORGANIZATIONS, ACCOUNT)


class MembershipById:
    """A DeleteGroupMembership: only its id names it (resolved against the store)."""

    def __init__(self, membership_id: str) -> None:
        self.membership_id = membership_id


Named = Target | MembershipById
Mapper = Callable[[ChangeEvent], Sequence[Named]]


def _get(values: Mapping[str, Any], *path: str) -> str | None:
    """A nested member, found in any letter case (CloudTrail's casing is not
    documented for every service)."""
    found: Any = values
    for key in path:
        if not isinstance(found, Mapping):
            return None
        found = next((v for k, v in found.items() if k.lower() == key.lower()), None)
    return found if isinstance(found, str) and found else None


def _assignment(event: ChangeEvent) -> list[Named]:
    account, arn = _get(event.request, "targetId"), _get(event.request, "permissionSetArn")
    if account is None or arn is None:
        return []
    principal_type = _get(event.request, "principalType")
    principal_id = _get(event.request, "principalId")
    expected = (
        (principal_type, principal_id, event.name == "CreateAccountAssignment")
        if principal_type and principal_id
        else None
    )
    return [PairAssignments(account, arn, expected)]


def _application(event: ChangeEvent) -> list[Named]:
    """CreateApplication answers the ARN; every other event names it in its request."""
    arn = _get(event.request, "applicationArn") or _get(event.response, "applicationArn")
    return [ApplicationTarget(arn)] if arn else []


def _permission_set(event: ChangeEvent) -> list[Named]:
    arn = _get(event.request, "permissionSetArn") or _get(
        event.response, "permissionSet", "permissionSetArn"
    )
    resource = _get(event.request, "resourceArn")  # TagResource / UntagResource
    if arn is None and resource and ":permissionSet/" in resource:
        arn = resource
    return [PermissionSetTarget(arn)] if arn else []


def _user(event: ChangeEvent) -> list[Named]:
    created = event.name == "CreateUser"
    user_id = (
        _get(event.request, "userId")
        or _get(event.response, "userId")
        or _get(event.response, "user", "userId")
        or _get(event.request, "id")  # SCIM: the path's id
        or _get(event.response, "id")
    )
    return [UserTarget(user_id, with_groups=created)] if user_id else []


def _group(event: ChangeEvent) -> list[Named]:
    group_id = (
        _get(event.request, "groupId")
        or _get(event.response, "groupId")
        or _get(event.response, "group", "groupId")
        or _get(event.request, "id")
        or _get(event.response, "id")
    )
    if group_id is None:
        return []
    # A SCIM PatchGroup carries member changes too (their ids hidden): read both.
    return (
        [GroupTarget(group_id), GroupMembers(group_id)]
        if event.source == SCIM
        else [GroupTarget(group_id)]
    )


def _members(event: ChangeEvent) -> list[Named]:
    group_id = _get(event.request, "groupId")
    return [GroupMembers(group_id)] if group_id else []


def _membership_deleted(event: ChangeEvent) -> list[Named]:
    membership_id = _get(event.request, "membershipId")
    return [MembershipById(membership_id)] if membership_id else []


def _account(event: ChangeEvent) -> list[Named]:
    account_id = (
        _get(event.request, "accountId")
        or _get(event.details, "createAccountStatus", "accountId")
        or _get(event.details, "closeAccountStatus", "accountId")
        # PutAccountName without an account id renames the caller's own account.
        or (event.account if event.source == ACCOUNT else None)
    )
    return [AccountTarget(account_id)] if account_id else []


_PERMISSION_SET_EVENTS = (
    "CreatePermissionSet",
    "UpdatePermissionSet",
    "DeletePermissionSet",
    "PutInlinePolicyToPermissionSet",
    "DeleteInlinePolicyFromPermissionSet",
    "AttachManagedPolicyToPermissionSet",
    "DetachManagedPolicyFromPermissionSet",
    "AttachCustomerManagedPolicyReferenceToPermissionSet",
    "DetachCustomerManagedPolicyReferenceFromPermissionSet",
    "PutPermissionsBoundaryToPermissionSet",
    "DeletePermissionsBoundaryFromPermissionSet",
    "ProvisionPermissionSet",
    "TagResource",
    "UntagResource",
)
_APPLICATION_EVENTS = (
    "CreateApplication",
    "UpdateApplication",
    "DeleteApplication",
    "PutApplicationAssignmentConfiguration",
    "CreateApplicationAssignment",
    "DeleteApplicationAssignment",
)
_USER_EVENTS = ("CreateUser", "UpdateUser", "DeleteUser", "DisableUser", "EnableUser")
_GROUP_EVENTS = ("CreateGroup", "UpdateGroup", "DeleteGroup")
_DIRECTORY = (IDENTITY_STORE, CONSOLE_DIRECTORY)
_ACCOUNT_EVENTS = (
    "CreateAccountResult",
    "MoveAccount",
    "CloseAccount",
    "CloseAccountResult",
    "RemoveAccountFromOrganization",
)

MAPPERS: dict[tuple[str, str], Mapper] = {
    (SSO, "CreateAccountAssignment"): _assignment,
    (SSO, "DeleteAccountAssignment"): _assignment,
    **{(SSO, name): _permission_set for name in _PERMISSION_SET_EVENTS},
    **{(SSO, name): _application for name in _APPLICATION_EVENTS},
    **{(source, name): _user for source in _DIRECTORY for name in _USER_EVENTS},
    **{(source, name): _group for source in _DIRECTORY for name in _GROUP_EVENTS},
    (IDENTITY_STORE, "CreateGroupMembership"): _members,
    (IDENTITY_STORE, "DeleteGroupMembership"): _membership_deleted,
    (CONSOLE_DIRECTORY, "AddMemberToGroup"): _members,
    (CONSOLE_DIRECTORY, "RemoveMemberFromGroup"): _members,
    **{(SCIM, name): _user for name in ("CreateUser", "PatchUser", "PutUser", "DeleteUser")},
    **{(SCIM, name): _group for name in ("CreateGroup", "PatchGroup", "DeleteGroup")},
    **{(ORGANIZATIONS, name): _account for name in _ACCOUNT_EVENTS},
    (ACCOUNT, "PutAccountName"): _account,
}


def named_by(event: ChangeEvent) -> list[Named]:
    """The targets an event names; none for a failed or read-only call."""
    if event.failed or event.read_only:
        return []
    mapper = MAPPERS.get((event.source, event.name))
    return list(mapper(event)) if mapper else []


# What each creation of an assignment names it by, in its request: an account
# assignment, and an application assignment (CreateApplicationAssignment).
_GRANTED = {
    "CreateAccountAssignment": (
        Assignment,
        ("targetId", "permissionSetArn", "principalType", "principalId"),
    ),
    "CreateApplicationAssignment": (
        ApplicationAssignment,
        ("applicationArn", "principalType", "principalId"),
    ),
}

Granted = tuple[Assignment | ApplicationAssignment, Provenance]


def granted_in(event: ChangeEvent) -> Granted | None:
    """The assignment a CreateAccountAssignment or CreateApplicationAssignment made,
    with who made it and when.

    CloudTrail's caller is the only record of who assigned an access outside the
    connector: AWS keeps none on either kind of assignment. The ARN names a role
    session precisely (for a console administrator, the permission set and the
    person); an Identity Center user is named by its id.
    """
    if event.failed or event.source != SSO or event.name not in _GRANTED:
        return None
    kind, names = _GRANTED[event.name]
    found = [_get(event.request, name) for name in names]
    if None in found:
        return None
    assignment = kind(*(str(value) for value in found))
    return assignment, Provenance(event.time, event.actor.arn or event.actor.name)


# Getting credentials for an account's role through the access portal or the CLI (IAM
# Identity Center Portal API Reference, GetRoleCredentials), logged under sso.amazonaws.com.
SIGN_IN_EVENTS = ("GetRoleCredentials",)


def used_in(event: ChangeEvent) -> SignIn | None:
    """The use a sign-in event reports: which user got credentials for which account's
    role, and when. The event itself is the fact (nothing to re-read from AWS); it
    names the user by `onBehalfOf.userId`, in both of CloudTrail's shapes."""
    if event.failed or event.source != SSO or event.name not in SIGN_IN_EVENTS:
        return None
    account_id, role_name = _get(event.request, "accountId"), _get(event.request, "roleName")
    if event.actor.user_id is None or account_id is None or role_name is None:
        return None
    return SignIn(event.actor.user_id, account_id, role_name, event.time, event.event_id)


def foreign(event: ChangeEvent, instance_arn: str, identity_store_id: str) -> bool:
    """Whether the event is about another Identity Center instance or identity store.

    An application's events name no instance, but its ARN does:
    ``...:application/{instance id}/apl-...`` (the sso-admin API reference's pattern).
    """
    instance = _get(event.request, "instanceArn")
    store = _get(event.request, "identityStoreId")
    application = _get(event.request, "applicationArn") or _get(event.response, "applicationArn")
    return (
        (instance is not None and instance != instance_arn)
        or (store is not None and store != identity_store_id)
        or (application is not None and _instance_id(application) != _instance_id(instance_arn))
    )


def _instance_id(arn: str) -> str | None:
    """The "ssoins-..." segment of an instance or application ARN."""
    return next((part for part in arn.split("/") if part.startswith(("ssoins-", "ins-"))), None)
