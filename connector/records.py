"""Domain records: what the connector knows about an Identity Center, AWS-free.

Readers turn AWS pages into these; the store keeps them; the SCIM layer maps
them to resources. They are frozen so that a snapshot, once read, cannot be
changed behind the store's back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Email:
    value: str
    type: str | None = None
    primary: bool = False


@dataclass(frozen=True)
class PhoneNumber:
    value: str
    type: str | None = None
    primary: bool = False


@dataclass(frozen=True)
class Role:
    """A Role of the Identity Store User (API_Role.html): at most one a user."""

    value: str | None = None
    type: str | None = None
    primary: bool = False


@dataclass(frozen=True)
class Photo:
    """A Photo of the Identity Store User (API_Photo.html): up to three, one primary."""

    value: str
    type: str | None = None
    display: str | None = None
    primary: bool = False


@dataclass(frozen=True)
class Address:
    street_address: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    formatted: str | None = None
    type: str | None = None
    primary: bool = False


@dataclass(frozen=True)
class ExternalId:
    issuer: str
    id: str


@dataclass(frozen=True)
class User:
    id: str
    user_name: str
    display_name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    middle_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None
    formatted_name: str | None = None
    nick_name: str | None = None
    profile_url: str | None = None
    title: str | None = None
    user_type: str | None = None
    locale: str | None = None
    timezone: str | None = None
    preferred_language: str | None = None
    website: str | None = None
    birthdate: str | None = None
    user_status: str | None = None  # ENABLED / DISABLED where AWS reports it
    emails: tuple[Email, ...] = ()
    phone_numbers: tuple[PhoneNumber, ...] = ()
    addresses: tuple[Address, ...] = ()
    external_ids: tuple[ExternalId, ...] = ()
    roles: tuple[Role, ...] = ()
    photos: tuple[Photo, ...] = ()
    # The Identity Store's "aws:identitystore:enterprise" extension, as AWS returns it.
    enterprise: Mapping[str, Any] | None = field(default=None, hash=False, compare=True)
    # The Identity Store's record of who made and last changed the user, and when.
    created_at: datetime | None = field(default=None, compare=False)
    updated_at: datetime | None = field(default=None, compare=False)
    created_by: str | None = field(default=None, compare=False)
    updated_by: str | None = field(default=None, compare=False)
    # Changes with every write; an update or delete sent with it applies only to
    # this version (the connector's conditional writes).
    revision: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Group:
    id: str
    display_name: str
    description: str | None = None
    external_ids: tuple[ExternalId, ...] = ()
    created_at: datetime | None = field(default=None, compare=False)
    updated_at: datetime | None = field(default=None, compare=False)
    created_by: str | None = field(default=None, compare=False)
    updated_by: str | None = field(default=None, compare=False)
    revision: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Membership:
    membership_id: str
    group_id: str
    user_id: str
    # When and by whom the Identity Store says the membership was made, where it says so.
    created_at: datetime | None = field(default=None, compare=False)
    created_by: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    name: str


@dataclass(frozen=True)
class CustomerManagedPolicy:
    name: str
    path: str = "/"


@dataclass(frozen=True)
class PermissionsBoundary:
    """One of the two, as in the PermissionsBoundary shape of the sso-admin API."""

    managed_policy_arn: str | None = None
    customer_managed_policy: CustomerManagedPolicy | None = None


@dataclass(frozen=True)
class PermissionSet:
    arn: str
    name: str
    description: str | None = None
    session_duration: str | None = None
    relay_state: str | None = None
    managed_policies: tuple[ManagedPolicy, ...] = ()
    customer_managed_policies: tuple[CustomerManagedPolicy, ...] = ()
    inline_policy: str | None = None
    permissions_boundary: PermissionsBoundary | None = None
    tags: tuple[tuple[str, str], ...] = ()
    created_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Account:
    """An AWS account; name, email, status and place are known only through Organizations.

    The place is the account's parent: an organizational unit, or the root (whose
    id starts "r-"), by id, name and path of names from the root ("Root/Prod/Payments").
    """

    id: str
    name: str | None = None
    email: str | None = None
    status: str | None = None
    ou_id: str | None = None
    ou_name: str | None = None
    ou_path: str | None = None


@dataclass(frozen=True)
class ProvisionedPair:
    """A permission set provisioned to an account: an entitlement that can be granted."""

    account_id: str
    permission_set_arn: str


@dataclass(frozen=True)
class Assignment:
    account_id: str
    permission_set_arn: str
    principal_type: str  # "USER" or "GROUP"
    principal_id: str


@dataclass(frozen=True)
class Application:
    """An Identity Center application (customer managed SAML/OAuth, or AWS managed).

    `assignment_required` is GetApplicationAssignmentConfiguration's answer:
    False lets every user of the instance in, whatever its assignments.
    """

    arn: str
    name: str
    provider_arn: str
    status: str  # "ENABLED" or "DISABLED"
    assignment_required: bool = True
    description: str | None = None
    account_id: str | None = None  # the ApplicationAccount AWS reports
    created_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ApplicationAssignment:
    application_arn: str
    principal_type: str  # "USER" or "GROUP"
    principal_id: str


@dataclass(frozen=True)
class SignIn:
    """A user got credentials for an account's role: a use of that access.

    From CloudTrail's GetRoleCredentials event (connector.feed.sign_ins):
    `role_name` as the event names it, the permission set's name in the portal
    or its provisioned role's (`AWSReservedSSO_<name>_<suffix>`).
    """

    user_id: str
    account_id: str
    role_name: str
    used_at: datetime
    event_id: str


@dataclass(frozen=True)
class Provenance:
    """Who made an access and when, beyond what AWS records of it.

    AWS keeps no creator for an account assignment, and only an opaque
    `CreatedBy` for a membership. The connector knows more of some: its own
    writes (the ledger's operation and the token that asked) and, through the
    change feed, CloudTrail's caller for the others. An access without one was
    made outside this connector by someone the connector did not see.
    """

    granted_at: datetime | None
    granted_by: str | None
    operation_id: str | None = None  # the write operation, when made through this connector


@dataclass(frozen=True)
class AssignmentProvenance:
    assignment: Assignment
    provenance: Provenance


@dataclass(frozen=True)
class MembershipProvenance:
    group_id: str
    user_id: str
    provenance: Provenance


@dataclass(frozen=True)
class ApplicationAssignmentProvenance:
    """AWS keeps no creator or date on an application assignment either."""

    assignment: ApplicationAssignment
    provenance: Provenance


@dataclass(frozen=True)
class Snapshot:
    """Everything one sync read, complete and consistent as of that sync."""

    instance_arn: str
    identity_store_id: str
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    memberships: tuple[Membership, ...] = ()
    permission_sets: tuple[PermissionSet, ...] = ()
    accounts: tuple[Account, ...] = ()
    provisioned_pairs: tuple[ProvisionedPair, ...] = ()
    # Pairs whose copy in the account predates the permission set's last change
    # (ProvisioningStatus LATEST_PERMISSION_SET_NOT_PROVISIONED).
    outdated_pairs: tuple[ProvisionedPair, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    applications: tuple[Application, ...] = ()
    application_assignments: tuple[ApplicationAssignment, ...] = ()
    # Kept by the store across snapshots, not read from AWS: a sync publishes
    # with what the store knows (connector.store.provenance).
    assignment_provenance: tuple[AssignmentProvenance, ...] = ()
    membership_provenance: tuple[MembershipProvenance, ...] = ()
    application_assignment_provenance: tuple[ApplicationAssignmentProvenance, ...] = ()

    def counts(self) -> dict[str, int]:
        return {
            "users": len(self.users),
            "groups": len(self.groups),
            "memberships": len(self.memberships),
            "permission_sets": len(self.permission_sets),
            "accounts": len(self.accounts),
            "provisioned_pairs": len(self.provisioned_pairs),
            "assignments": len(self.assignments),
            "applications": len(self.applications),
            "application_assignments": len(self.application_assignments),
        }
