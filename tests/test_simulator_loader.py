"""load_plan creates everything planned, and boto3 reads it back as planned."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.simulator import (
    Manifest,
    SimulatedAws,
    behaviour,
    load_plan,
    simulated_aws,
)
from connector.simulator.plan import (
    OrganisationPlan,
    PlannedAccount,
    PlannedAddress,
    PlannedAssignment,
    PlannedCustomerManagedPolicy,
    PlannedEmail,
    PlannedExternalId,
    PlannedGroup,
    PlannedMembership,
    PlannedPair,
    PlannedPermissionsBoundary,
    PlannedPermissionSet,
    PlannedPhoneNumber,
    PlannedUser,
)

ADA = PlannedUser(
    key="u1",
    user_name="ada@example.com",
    display_name="Ada Lovelace",
    given_name="Ada",
    family_name="Lovelace",
    middle_name="Augusta",
    honorific_prefix="Countess",
    honorific_suffix="FRS",
    nick_name="Ada",
    profile_url="https://example.com/ada",
    title="Analyst",
    user_type="Employee",
    locale="en-GB",
    timezone="Europe/London",
    preferred_language="en",
    emails=(PlannedEmail("ada@example.com", "work", True),),
    phone_numbers=(PlannedPhoneNumber("+44 20 7946 0000", "mobile", True),),
    addresses=(
        PlannedAddress(
            street_address="12 St James's Square",
            locality="London",
            region="London",
            postal_code="SW1Y 4LB",
            country="GB",
            formatted="12 St James's Square, London SW1Y 4LB",
            type="work",
            primary=True,
        ),
    ),
    external_ids=(PlannedExternalId("https://idp.example.com", "ext-ada"),),
)
BOB = PlannedUser(key="u2", user_name="bob", display_name="Bob", given_name="Bob", family_name="B")
ENGINEERS = PlannedGroup(
    key="g1",
    display_name="Engineers",
    description="Everyone who builds",
    external_ids=(PlannedExternalId("https://idp.example.com", "ext-eng"),),
)
EMPTY = PlannedGroup(key="g2", display_name="Nobody")
AUDIT = PlannedPermissionSet(
    key="ps1",
    name="Audit",
    description="Read-only audit",
    session_duration="PT4H",
    relay_state="https://console.aws.amazon.com/billing/home",
    managed_policy_arns=(
        "arn:aws:iam::aws:policy/SecurityAudit",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    ),
    customer_managed_policies=(PlannedCustomerManagedPolicy("AuditExtras", "/audit/"),),
    inline_policy='{"Version": "2012-10-17", "Statement": []}',
    permissions_boundary=PlannedPermissionsBoundary(
        customer_managed_policy=PlannedCustomerManagedPolicy("Boundary")
    ),
    tags=(("team", "security"), ("cost-centre", "42")),
)
ADMIN = PlannedPermissionSet(
    key="ps2",
    name="Admin",
    managed_policy_arns=("arn:aws:iam::aws:policy/AdministratorAccess",),
    permissions_boundary=PlannedPermissionsBoundary(
        managed_policy_arn="arn:aws:iam::aws:policy/PowerUserAccess"
    ),
)
PLAN = OrganisationPlan(
    users=(ADA, BOB),
    groups=(ENGINEERS, EMPTY),
    memberships=(PlannedMembership("g1", "u1"), PlannedMembership("g1", "u2")),
    permission_sets=(AUDIT, ADMIN),
    accounts=(
        PlannedAccount("a1", "prod", "prod@example.com", ("Workloads", "Prod")),
        PlannedAccount("a2", "dev", "dev@example.com", ("Workloads", "Dev")),
        PlannedAccount("a3", "old", "old@example.com", ("Suspended",), status="SUSPENDED"),
        PlannedAccount("a4", "sandbox", "sandbox@example.com"),
    ),
    provisioned_pairs=(PlannedPair("ps2", "a4"),),
    assignments=(
        PlannedAssignment("ps1", "a1", "GROUP", "g1"),
        PlannedAssignment("ps2", "a2", "USER", "u1"),
        PlannedAssignment("ps1", "a2", "USER", "u2"),
    ),
    empty_ous=(("Workloads", "Staging"), ("Exceptions",)),
)


@pytest.fixture
def aws() -> Iterator[SimulatedAws]:
    with simulated_aws() as simulated:
        yield simulated


@pytest.fixture
def manifest(aws: SimulatedAws) -> Manifest:
    behaviour().update(assignment_delay_seconds=3600)  # seeding ignores it
    return load_plan(PLAN)


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    response.pop("ResponseMetadata", None)
    return response


def test_loaded_user_carries_every_planned_attribute(aws: SimulatedAws, manifest: Manifest) -> None:
    described = without_metadata(
        aws.identity_store.describe_user(
            IdentityStoreId=manifest.identity_store_id, UserId=manifest.users["u1"]
        )
    )
    # AWS stamps every user; a loaded one was made once and never changed.
    assert described.pop("CreatedAt") == described.pop("UpdatedAt")
    assert described.pop("Revision")
    assert described == {
        "IdentityStoreId": manifest.identity_store_id,
        "UserId": manifest.users["u1"],
        "UserName": "ada@example.com",
        "UserStatus": "ENABLED",
        "DisplayName": "Ada Lovelace",
        "Name": {
            "GivenName": "Ada",
            "FamilyName": "Lovelace",
            "MiddleName": "Augusta",
            "HonorificPrefix": "Countess",
            "HonorificSuffix": "FRS",
        },
        "NickName": "Ada",
        "ProfileUrl": "https://example.com/ada",
        "Title": "Analyst",
        "UserType": "Employee",
        "Locale": "en-GB",
        "Timezone": "Europe/London",
        "PreferredLanguage": "en",
        "Emails": [{"Value": "ada@example.com", "Type": "work", "Primary": True}],
        "PhoneNumbers": [{"Value": "+44 20 7946 0000", "Type": "mobile", "Primary": True}],
        "Addresses": [
            {
                "StreetAddress": "12 St James's Square",
                "Locality": "London",
                "Region": "London",
                "PostalCode": "SW1Y 4LB",
                "Country": "GB",
                "Formatted": "12 St James's Square, London SW1Y 4LB",
                "Type": "work",
                "Primary": True,
            }
        ],
        "ExternalIds": [{"Issuer": "https://idp.example.com", "Id": "ext-ada"}],
    }


def test_loaded_principals_are_found_by_external_id(aws: SimulatedAws, manifest: Manifest) -> None:
    user = aws.identity_store.get_user_id(
        IdentityStoreId=manifest.identity_store_id,
        AlternateIdentifier={"ExternalId": {"Issuer": "https://idp.example.com", "Id": "ext-ada"}},
    )
    group = aws.identity_store.get_group_id(
        IdentityStoreId=manifest.identity_store_id,
        AlternateIdentifier={"ExternalId": {"Issuer": "https://idp.example.com", "Id": "ext-eng"}},
    )
    assert (user["UserId"], group["GroupId"]) == (manifest.users["u1"], manifest.groups["g1"])


def test_loaded_groups_and_memberships_read_back(aws: SimulatedAws, manifest: Manifest) -> None:
    store = manifest.identity_store_id
    groups = aws.identity_store.list_groups(IdentityStoreId=store)["Groups"]
    by_id = {g["GroupId"]: g for g in groups}
    engineers = by_id[manifest.groups["g1"]]
    assert (engineers["DisplayName"], engineers["Description"]) == (
        "Engineers",
        "Everyone who builds",
    )
    assert engineers["ExternalIds"] == [{"Issuer": "https://idp.example.com", "Id": "ext-eng"}]
    assert set(by_id) == set(manifest.groups.values())

    memberships = {
        (m["GroupId"], m["MemberId"]["UserId"])
        for group_id in by_id
        for m in aws.identity_store.list_group_memberships(IdentityStoreId=store, GroupId=group_id)[
            "GroupMemberships"
        ]
    }
    assert memberships == manifest.expected_memberships()


def test_loaded_permission_set_carries_every_planned_detail(
    aws: SimulatedAws, manifest: Manifest
) -> None:
    target = {
        "InstanceArn": manifest.instance_arn,
        "PermissionSetArn": manifest.permission_sets["ps1"],
    }
    sso = aws.sso_admin
    described = sso.describe_permission_set(**target)["PermissionSet"]
    assert (described["Name"], described["Description"]) == ("Audit", "Read-only audit")
    assert described["SessionDuration"] == "PT4H"
    assert described["RelayState"] == "https://console.aws.amazon.com/billing/home"
    managed = sso.list_managed_policies_in_permission_set(**target)["AttachedManagedPolicies"]
    assert [p["Arn"] for p in managed] == list(AUDIT.managed_policy_arns)
    references = sso.list_customer_managed_policy_references_in_permission_set(**target)
    assert references["CustomerManagedPolicyReferences"] == [
        {"Name": "AuditExtras", "Path": "/audit/"}
    ]
    assert sso.get_inline_policy_for_permission_set(**target)["InlinePolicy"] == AUDIT.inline_policy
    assert sso.get_permissions_boundary_for_permission_set(**target)["PermissionsBoundary"] == {
        "CustomerManagedPolicyReference": {"Name": "Boundary", "Path": "/"}
    }
    tags = sso.list_tags_for_resource(
        InstanceArn=manifest.instance_arn, ResourceArn=manifest.permission_sets["ps1"]
    )["Tags"]
    assert {(t["Key"], t["Value"]) for t in tags} == set(AUDIT.tags)
    admin_boundary = sso.get_permissions_boundary_for_permission_set(
        InstanceArn=manifest.instance_arn, PermissionSetArn=manifest.permission_sets["ps2"]
    )["PermissionsBoundary"]
    assert admin_boundary == {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}


def test_loaded_accounts_are_listed_with_names_emails_and_status(
    aws: SimulatedAws, manifest: Manifest
) -> None:
    listed = {
        a["Id"]: (a["Name"], a["Email"], a["Status"])
        for a in aws.organizations.list_accounts()["Accounts"]
    }
    assert listed[manifest.management_account_id][2] == "ACTIVE"
    assert {listed[manifest.accounts[a.key]] for a in PLAN.accounts} == {
        (a.name, a.email, a.status) for a in PLAN.accounts
    }


def test_loaded_accounts_sit_in_their_nested_organizational_units(
    aws: SimulatedAws, manifest: Manifest
) -> None:
    org = aws.organizations
    root_id = org.list_roots()["Roots"][0]["Id"]

    def path_of(child_id: str) -> tuple[str, ...]:
        parent = org.list_parents(ChildId=child_id)["Parents"][0]
        if parent["Type"] == "ROOT":
            assert parent["Id"] == root_id
            return ()
        name = org.describe_organizational_unit(OrganizationalUnitId=parent["Id"])[
            "OrganizationalUnit"
        ]["Name"]
        return (*path_of(parent["Id"]), name)

    for account in PLAN.accounts:
        assert path_of(manifest.accounts[account.key]) == account.ou_path
    for empty in PLAN.empty_ous:
        unit_id = manifest.organizational_units["/".join(empty)]
        assert path_of(unit_id) == empty[:-1]


def test_loaded_assignments_are_succeeded_and_listed_regardless_of_delay(
    aws: SimulatedAws, manifest: Manifest
) -> None:
    read = set()
    for account_id, ps_arn in manifest.expected_provisioned_pairs():
        for a in aws.sso_admin.list_account_assignments(
            InstanceArn=manifest.instance_arn, AccountId=account_id, PermissionSetArn=ps_arn
        )["AccountAssignments"]:
            read.add((a["AccountId"], a["PermissionSetArn"], a["PrincipalType"], a["PrincipalId"]))
    assert read == manifest.expected_assignments()
    assert len(read) == len(PLAN.assignments)


def test_loaded_provisioned_pairs_match_the_manifest(aws: SimulatedAws, manifest: Manifest) -> None:
    read = {
        (account_id, ps_arn)
        for ps_arn in manifest.permission_sets.values()
        for account_id in aws.sso_admin.list_accounts_for_provisioned_permission_set(
            InstanceArn=manifest.instance_arn, PermissionSetArn=ps_arn
        )["AccountIds"]
    }
    sandbox = (manifest.accounts["a4"], manifest.permission_sets["ps2"])
    assert read == manifest.expected_provisioned_pairs()
    assert sandbox in read  # provisioned without any assignment
    latest = aws.sso_admin.list_permission_sets_provisioned_to_account(
        InstanceArn=manifest.instance_arn,
        AccountId=sandbox[0],
        ProvisioningStatus="LATEST_PERMISSION_SET_PROVISIONED",
    )["PermissionSets"]
    assert latest == [sandbox[1]]


def test_manifest_round_trips_through_a_json_file(manifest: Manifest, tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    manifest.save(path)
    loaded = Manifest.load(path)

    assert loaded == manifest
    assert loaded.plan == PLAN
    assert loaded.expected_assignments() == manifest.expected_assignments()


@pytest.mark.slow
def test_medium_organisation_loads_in_seconds(aws: SimulatedAws) -> None:
    seed = pytest.importorskip("connector.simulator.seed")
    plan = seed.plan_organisation(seed.PRESETS["M"])
    started = time.perf_counter()
    manifest = load_plan(plan)
    elapsed = time.perf_counter() - started

    assert elapsed < 10
    users = aws.identity_store.list_users(IdentityStoreId=manifest.identity_store_id)
    assert len(manifest.users) == len(plan.users) and users["NextToken"]
    assert len(manifest.expected_assignments()) == len(plan.assignments)
