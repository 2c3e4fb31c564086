"""Create a planned organisation in the simulated AWS, fast.

Seeding through boto3 costs about 3 ms a call, so the M-size plan (2,000 users,
6,000 memberships, 2,400 assignments, ...) would take close to a minute; calling
the corrected backends' model methods directly takes seconds. The objects land in
the same backends every client reads, whether through ``mock_aws`` or a
``ThreadedMotoServer`` in this process, and they are created through the same
model methods the API uses, so validation (known managed policy ARNs, unique
names) still applies.

Assignments and provisioned pairs are seeded as already SUCCEEDED, whatever delay
``behaviour()`` sets: a plan describes the organisation as it stands, not requests
in flight.
"""

from __future__ import annotations

from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.identitystore.models import identitystore_backends
from moto.organizations.models import organizations_backends
from moto.ssoadmin.models import ssoadmin_backends
from moto.utilities.utils import get_partition

from .behaviour import behaviour
from .cloudtrail.principals import IdentityCenterUser
from .cloudtrail.sign_ins import record_seeded, sign_in_event
from .corrections import apply_corrections
from .identitystore import CorrectedIdentityStoreBackend
from .manifest import Manifest
from .organizations import CorrectedOrganizationsBackend
from .plan import (
    OrganisationPlan,
    PlannedAddress,
    PlannedExternalId,
    PlannedPermissionSet,
    PlannedUser,
)
from .ssoadmin import CorrectedSSOAdminBackend
from .ssoadmin.assignments import AssignmentKey


def load_plan(
    plan: OrganisationPlan,
    *,
    region: str = "us-east-1",
    account_id: str = DEFAULT_ACCOUNT_ID,
) -> Manifest:
    """Create ``plan`` in the backends of ``account_id`` (the management account)."""
    apply_corrections()
    organizations = organizations_backends[account_id][get_partition(region)]
    sso_admin = ssoadmin_backends[account_id][region]
    directory = identitystore_backends[account_id][region]
    assert isinstance(organizations, CorrectedOrganizationsBackend)
    assert isinstance(sso_admin, CorrectedSSOAdminBackend)
    assert isinstance(directory, CorrectedIdentityStoreBackend)

    instance = sso_admin.instances[0]
    manifest = Manifest(
        instance_arn=instance.instance_arn,
        identity_store_id=instance.identity_store_id,
        management_account_id=account_id,
        region=region,
        plan=plan,
    )
    _load_organization(organizations, plan, manifest, region)
    _load_directory(directory, plan, manifest)
    _load_permission_sets(sso_admin, plan, manifest)
    _load_applications(sso_admin, plan, manifest)
    _load_sign_ins(plan, manifest)
    return manifest


def _load_organization(
    organizations: CorrectedOrganizationsBackend,
    plan: OrganisationPlan,
    manifest: Manifest,
    region: str,
) -> None:
    if organizations.org is None:
        organizations.create_organization(region=region, FeatureSet="ALL")
    assert organizations.org is not None
    root_id = organizations.org.root_id
    units: dict[tuple[str, ...], str] = {(): root_id}

    def unit_id(path: tuple[str, ...]) -> str:
        if path not in units:
            parent_id = unit_id(path[:-1])
            existing = next(
                (u.id for u in organizations.ou if u.parent_id == parent_id and u.name == path[-1]),
                None,
            )
            units[path] = (
                existing
                or organizations.create_organizational_unit(Name=path[-1], ParentId=parent_id)[
                    "OrganizationalUnit"
                ]["Id"]
            )
            manifest.organizational_units["/".join(path)] = units[path]
        return units[path]

    for path in plan.empty_ous:
        unit_id(tuple(path))
    for account in plan.accounts:
        status = organizations.create_account(AccountName=account.name, Email=account.email)
        account_id = status["CreateAccountStatus"]["AccountId"]
        manifest.accounts[account.key] = account_id
        if account.ou_path:
            organizations.move_account(
                AccountId=account_id,
                SourceParentId=root_id,
                DestinationParentId=unit_id(tuple(account.ou_path)),
            )
        if account.status == "SUSPENDED":
            organizations.get_account_by_id(account_id).close()


def _load_directory(
    directory: CorrectedIdentityStoreBackend, plan: OrganisationPlan, manifest: Manifest
) -> None:
    store_id = manifest.identity_store_id
    for user in plan.users:
        manifest.users[user.key], _ = directory.create_user(
            store_id,
            user.user_name,
            _name(user),
            user.display_name,
            user.nick_name,
            user.profile_url,
            [{"Value": e.value, "Type": e.type, "Primary": e.primary} for e in user.emails],
            [_address(a) for a in user.addresses],
            [{"Value": p.value, "Type": p.type, "Primary": p.primary} for p in user.phone_numbers],
            user.user_type,
            user.title,
            user.preferred_language,
            user.locale,
            user.timezone,
            external_ids=_external_ids(user.external_ids),
        )
    for group in plan.groups:
        manifest.groups[group.key], _ = directory.create_group(
            store_id,
            group.display_name,
            group.description,
            external_ids=_external_ids(group.external_ids),
        )
    for membership in plan.memberships:
        membership_id, _ = directory.create_group_membership(
            store_id,
            manifest.groups[membership.group_key],
            {"UserId": manifest.users[membership.user_key]},
        )
        if membership.joined_seconds_ago:
            directory.backdate_membership(store_id, membership_id, membership.joined_seconds_ago)


def _load_permission_sets(
    sso_admin: CorrectedSSOAdminBackend, plan: OrganisationPlan, manifest: Manifest
) -> None:
    instance_arn = manifest.instance_arn
    for planned in plan.permission_sets:
        manifest.permission_sets[planned.key] = _create_permission_set(
            sso_admin, instance_arn, planned
        )
    for pair in plan.provisioned_pairs:
        sso_admin.seed_provisioned(
            instance_arn,
            manifest.permission_sets[pair.permission_set_key],
            manifest.accounts[pair.account_key],
        )
    for assignment in plan.assignments:
        sso_admin.seed_assignment(
            AssignmentKey(
                instance_arn=instance_arn,
                target_id=manifest.accounts[assignment.account_key],
                target_type="AWS_ACCOUNT",
                permission_set_arn=manifest.permission_sets[assignment.permission_set_key],
                principal_type=assignment.principal_type,
                principal_id=manifest.principal_id(
                    assignment.principal_type, assignment.principal_key
                ),
            )
        )


def _load_applications(
    sso_admin: CorrectedSSOAdminBackend, plan: OrganisationPlan, manifest: Manifest
) -> None:
    """Applications and their assignments, through the same model methods the API uses."""
    for planned in plan.applications:
        application = sso_admin.applications.create_application(
            manifest.instance_arn,
            planned.name,
            planned.provider_arn,
            description=planned.description,
        )
        sso_admin.applications.put_assignment_configuration(
            application.arn, planned.assignment_required
        )
        manifest.applications[planned.key] = application.arn
    for assignment in plan.application_assignments:
        sso_admin.applications.create_assignment(
            manifest.applications[assignment.application_key],
            assignment.principal_type,
            manifest.principal_id(assignment.principal_type, assignment.principal_key),
        )


def _load_sign_ins(plan: OrganisationPlan, manifest: Manifest) -> None:
    """The planned sign-ins, at their past times, in Identity Center's event history."""
    settings = behaviour()
    manifest.loaded_at = settings.wall_time()
    users = {user.key: user for user in plan.users}
    names = {ps.key: ps.name for ps in plan.permission_sets}
    store_arn = manifest.identity_store_arn()
    record_seeded(
        [
            sign_in_event(
                IdentityCenterUser(
                    "", manifest.users[s.user_key], users[s.user_key].user_name, store_arn
                ),
                manifest.accounts[s.account_key],
                names[s.permission_set_key],
                manifest.loaded_at - s.seconds_ago,
                region=manifest.region,
                instance_account_id=manifest.management_account_id,
                shape=settings.cloudtrail_shape,
            )
            for s in plan.sign_ins
        ]
    )


def _create_permission_set(
    sso_admin: CorrectedSSOAdminBackend, instance_arn: str, planned: PlannedPermissionSet
) -> str:
    created = sso_admin.create_permission_set(
        planned.name,
        planned.description,
        instance_arn,
        planned.session_duration,
        planned.relay_state,
        [{"Key": key, "Value": value} for key, value in planned.tags],
    )
    arn = str(created["PermissionSetArn"])
    for policy_arn in planned.managed_policy_arns:
        sso_admin.attach_managed_policy_to_permission_set(instance_arn, arn, policy_arn)
    for policy in planned.customer_managed_policies:
        sso_admin.attach_customer_managed_policy_reference_to_permission_set(
            instance_arn, arn, {"Name": policy.name, "Path": policy.path}
        )
    if planned.inline_policy:
        sso_admin.put_inline_policy_to_permission_set(instance_arn, arn, planned.inline_policy)
    boundary = planned.permissions_boundary
    if boundary is not None:
        if boundary.managed_policy_arn is not None:
            shape: dict[str, Any] = {"ManagedPolicyArn": boundary.managed_policy_arn}
        else:
            assert boundary.customer_managed_policy is not None
            shape = {
                "CustomerManagedPolicyReference": {
                    "Name": boundary.customer_managed_policy.name,
                    "Path": boundary.customer_managed_policy.path,
                }
            }
        sso_admin.put_permissions_boundary_to_permission_set(instance_arn, arn, shape)
    return arn


def _name(user: PlannedUser) -> dict[str, str]:
    parts = {
        "GivenName": user.given_name,
        "FamilyName": user.family_name,
        "MiddleName": user.middle_name,
        "HonorificPrefix": user.honorific_prefix,
        "HonorificSuffix": user.honorific_suffix,
    }
    return {key: value for key, value in parts.items() if value is not None}


def _address(address: PlannedAddress) -> dict[str, Any]:
    shape = {
        "StreetAddress": address.street_address,
        "Locality": address.locality,
        "Region": address.region,
        "PostalCode": address.postal_code,
        "Country": address.country,
        "Formatted": address.formatted,
        "Type": address.type,
        "Primary": address.primary,
    }
    return {key: value for key, value in shape.items() if value is not None}


def _external_ids(external_ids: tuple[PlannedExternalId, ...]) -> list[dict[str, str]]:
    return [{"Issuer": e.issuer, "Id": e.id} for e in external_ids]
