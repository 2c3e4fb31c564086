"""The shape of a simulated organisation before it exists in AWS.

A plan is pure data: the seed generator (`seed.py`) makes one, the loader
(`loader.py`) creates it in the simulated Identity Center and returns a
`Manifest` that names every object by the id AWS gave it. Objects refer to each
other by plan keys (``"u00042"``), because AWS ids exist only after loading.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PlannedEmail:
    value: str
    type: str = "work"
    primary: bool = False


@dataclass(frozen=True)
class PlannedPhoneNumber:
    value: str
    type: str = "work"
    primary: bool = False


@dataclass(frozen=True)
class PlannedAddress:
    street_address: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    formatted: str | None = None
    type: str = "work"
    primary: bool = False


@dataclass(frozen=True)
class PlannedExternalId:
    issuer: str
    id: str


@dataclass(frozen=True)
class PlannedUser:
    key: str
    user_name: str
    display_name: str
    given_name: str
    family_name: str
    middle_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None
    nick_name: str | None = None
    profile_url: str | None = None
    title: str | None = None
    user_type: str | None = None
    locale: str | None = None
    timezone: str | None = None
    preferred_language: str | None = None
    emails: tuple[PlannedEmail, ...] = ()
    phone_numbers: tuple[PlannedPhoneNumber, ...] = ()
    addresses: tuple[PlannedAddress, ...] = ()
    external_ids: tuple[PlannedExternalId, ...] = ()


@dataclass(frozen=True)
class PlannedGroup:
    key: str
    display_name: str
    description: str | None = None
    external_ids: tuple[PlannedExternalId, ...] = ()


@dataclass(frozen=True)
class PlannedMembership:
    group_key: str
    user_key: str
    # How long before loading the user joined: the membership's CreatedAt (the
    # Identity Store's own record of it), which the access review reads.
    joined_seconds_ago: int = 0


@dataclass(frozen=True)
class PlannedCustomerManagedPolicy:
    name: str
    path: str = "/"


@dataclass(frozen=True)
class PlannedPermissionsBoundary:
    """Exactly one of the two is set, as in PutPermissionsBoundaryToPermissionSet."""

    managed_policy_arn: str | None = None
    customer_managed_policy: PlannedCustomerManagedPolicy | None = None


@dataclass(frozen=True)
class PlannedPermissionSet:
    key: str
    name: str
    description: str | None = None
    session_duration: str = "PT1H"
    relay_state: str | None = None
    managed_policy_arns: tuple[str, ...] = ()
    customer_managed_policies: tuple[PlannedCustomerManagedPolicy, ...] = ()
    inline_policy: str | None = None
    permissions_boundary: PlannedPermissionsBoundary | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PlannedAccount:
    key: str
    name: str
    email: str
    ou_path: tuple[str, ...] = ()
    status: str = "ACTIVE"  # or "SUSPENDED"


@dataclass(frozen=True)
class PlannedPair:
    """A permission set provisioned to an account (with or without assignments)."""

    permission_set_key: str
    account_key: str


@dataclass(frozen=True)
class PlannedAssignment:
    permission_set_key: str
    account_key: str
    principal_type: str  # "USER" or "GROUP"
    principal_key: str


@dataclass(frozen=True)
class PlannedApplication:
    """An application of the instance (customer managed SAML/OAuth or AWS managed)."""

    key: str
    name: str
    provider_arn: str
    description: str | None = None
    assignment_required: bool = True


@dataclass(frozen=True)
class PlannedApplicationAssignment:
    application_key: str
    principal_type: str  # "USER" or "GROUP"
    principal_key: str


@dataclass(frozen=True)
class PlannedSignIn:
    """A user got credentials for an account and permission set (the access portal or the
    CLI's GetRoleCredentials), ``seconds_ago`` before the plan was loaded."""

    user_key: str
    account_key: str
    permission_set_key: str
    seconds_ago: int


@dataclass(frozen=True)
class OrganisationPlan:
    users: tuple[PlannedUser, ...] = ()
    groups: tuple[PlannedGroup, ...] = ()
    memberships: tuple[PlannedMembership, ...] = ()
    permission_sets: tuple[PlannedPermissionSet, ...] = ()
    accounts: tuple[PlannedAccount, ...] = ()
    provisioned_pairs: tuple[PlannedPair, ...] = ()
    assignments: tuple[PlannedAssignment, ...] = ()
    applications: tuple[PlannedApplication, ...] = ()
    application_assignments: tuple[PlannedApplicationAssignment, ...] = ()
    sign_ins: tuple[PlannedSignIn, ...] = ()
    # Names of OUs are taken from accounts' ou_path; listed here only for OUs
    # that hold no account (an empty OU is realistic too).
    empty_ous: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
