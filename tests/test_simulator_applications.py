"""The simulated IAM Identity Center serves applications and their assignments as AWS does.

moto 5.2.5 has none of these operations: every test here fails against it. Each
goes through boto3, so botocore checks the request and response shapes of its
service model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from connector.simulator import SimulatedAws, load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from tests.simulation import group, user

CUSTOM_SAML = "arn:aws:sso::aws:applicationProvider/custom-saml"
UNKNOWN_PRINCIPAL = "90676c4b-0000-4000-8000-000000000000"


@pytest.fixture
def aws() -> Iterator[SimulatedAws]:
    with simulated_aws() as simulated:
        yield simulated


def application(aws: SimulatedAws, name: str = "Payroll", **extra: Any) -> str:
    created = aws.sso_admin.create_application(
        InstanceArn=aws.instance_arn, Name=name, ApplicationProviderArn=CUSTOM_SAML, **extra
    )
    return str(created["ApplicationArn"])


def assigned(aws: SimulatedAws, application_arn: str) -> set[tuple[str, str]]:
    pages = aws.sso_admin.get_paginator("list_application_assignments").paginate(
        ApplicationArn=application_arn
    )
    return {
        (a["PrincipalType"], a["PrincipalId"])
        for page in pages
        for a in page["ApplicationAssignments"]
    }


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_an_application_is_described_and_listed_with_the_fields_of_aws_application(
    aws: SimulatedAws,
) -> None:
    arn = application(aws, Description="Salaries", Status="ENABLED")
    described = aws.sso_admin.describe_application(ApplicationArn=arn)
    listed = aws.sso_admin.list_applications(InstanceArn=aws.instance_arn)["Applications"]
    assert [a["ApplicationArn"] for a in listed] == [arn]
    assert described["Name"] == "Payroll"
    assert described["Description"] == "Salaries"
    assert described["ApplicationProviderArn"] == CUSTOM_SAML
    assert described["InstanceArn"] == aws.instance_arn
    assert described["Status"] == "ENABLED"
    assert described["IdentityStoreArn"].endswith(aws.identity_store_id)
    assert arn.split("/")[-2] == aws.instance_arn.split("/")[-1]


def test_application_arns_match_the_pattern_of_the_service_model(aws: SimulatedAws) -> None:
    model = aws.sso_admin.meta.service_model.shape_for("ApplicationArn")
    assert re.fullmatch(model.metadata["pattern"], application(aws))


def test_list_applications_pages_hold_at_most_fifty_whatever_max_results_asks(
    aws: SimulatedAws,
) -> None:
    arns = {application(aws, f"App {n}") for n in range(55)}
    first = aws.sso_admin.list_applications(InstanceArn=aws.instance_arn, MaxResults=100)
    second = aws.sso_admin.list_applications(
        InstanceArn=aws.instance_arn, NextToken=first["NextToken"]
    )
    assert len(first["Applications"]) == 50
    assert "NextToken" not in second
    assert {a["ApplicationArn"] for a in first["Applications"] + second["Applications"]} == arns


def test_list_applications_refuses_max_results_above_one_hundred(aws: SimulatedAws) -> None:
    with pytest.raises(ClientError) as error:
        aws.sso_admin.list_applications(InstanceArn=aws.instance_arn, MaxResults=101)
    assert error_code(error) == "ValidationException"


def test_list_applications_filters_by_provider(aws: SimulatedAws) -> None:
    saml = application(aws)
    aws.sso_admin.create_application(
        InstanceArn=aws.instance_arn,
        Name="Wiki",
        ApplicationProviderArn="arn:aws:sso::aws:applicationProvider/custom",
    )
    listed = aws.sso_admin.list_applications(
        InstanceArn=aws.instance_arn, Filter={"ApplicationProvider": CUSTOM_SAML}
    )["Applications"]
    assert [a["ApplicationArn"] for a in listed] == [saml]


def test_an_unknown_application_is_not_found_and_a_malformed_arn_is_invalid(
    aws: SimulatedAws,
) -> None:
    known = application(aws)
    unknown = known[:-16] + "0123456789abcdef"
    with pytest.raises(ClientError) as missing:
        aws.sso_admin.describe_application(ApplicationArn=unknown)
    with pytest.raises(ClientError) as malformed:
        aws.sso_admin.list_application_assignments(ApplicationArn="arn:aws:sso::app/nothing")
    assert error_code(missing) == "ResourceNotFoundException"
    assert error_code(malformed) == "ValidationException"


def test_assignment_is_required_by_default_and_configurable(aws: SimulatedAws) -> None:
    arn = application(aws)
    before = aws.sso_admin.get_application_assignment_configuration(ApplicationArn=arn)
    aws.sso_admin.put_application_assignment_configuration(
        ApplicationArn=arn, AssignmentRequired=False
    )
    after = aws.sso_admin.get_application_assignment_configuration(ApplicationArn=arn)
    assert (before["AssignmentRequired"], after["AssignmentRequired"]) == (True, False)


def test_an_assignment_is_made_at_once_and_listed_for_the_application_and_principal(
    aws: SimulatedAws,
) -> None:
    arn = application(aws)
    user_id, group_id = user(aws), group(aws)
    aws.sso_admin.create_application_assignment(
        ApplicationArn=arn, PrincipalId=user_id, PrincipalType="USER"
    )
    aws.sso_admin.create_application_assignment(
        ApplicationArn=arn, PrincipalId=group_id, PrincipalType="GROUP"
    )
    for_user = aws.sso_admin.list_application_assignments_for_principal(
        InstanceArn=aws.instance_arn, PrincipalId=user_id, PrincipalType="USER"
    )["ApplicationAssignments"]
    assert assigned(aws, arn) == {("USER", user_id), ("GROUP", group_id)}
    assert for_user == [{"ApplicationArn": arn, "PrincipalId": user_id, "PrincipalType": "USER"}]


def test_creating_an_existing_assignment_does_not_duplicate_it(aws: SimulatedAws) -> None:
    arn, user_id = application(aws), user(aws)
    for _ in range(2):
        aws.sso_admin.create_application_assignment(
            ApplicationArn=arn, PrincipalId=user_id, PrincipalType="USER"
        )
    assert assigned(aws, arn) == {("USER", user_id)}


def test_a_deleted_assignment_is_no_longer_listed(aws: SimulatedAws) -> None:
    arn, user_id = application(aws), user(aws)
    params = {"ApplicationArn": arn, "PrincipalId": user_id, "PrincipalType": "USER"}
    aws.sso_admin.create_application_assignment(**params)
    aws.sso_admin.delete_application_assignment(**params)
    assert assigned(aws, arn) == set()


def test_deleting_an_assignment_that_does_not_exist_is_not_found(aws: SimulatedAws) -> None:
    arn, user_id = application(aws), user(aws)
    with pytest.raises(ClientError) as error:
        aws.sso_admin.delete_application_assignment(
            ApplicationArn=arn, PrincipalId=user_id, PrincipalType="USER"
        )
    assert error_code(error) == "ResourceNotFoundException"


def test_a_principal_missing_from_the_identity_store_cannot_be_assigned(
    aws: SimulatedAws,
) -> None:
    arn = application(aws)
    with pytest.raises(ClientError) as error:
        aws.sso_admin.create_application_assignment(
            ApplicationArn=arn, PrincipalId=UNKNOWN_PRINCIPAL, PrincipalType="USER"
        )
    assert error_code(error) == "ResourceNotFoundException"
    assert assigned(aws, arn) == set()


def test_a_malformed_principal_id_is_invalid(aws: SimulatedAws) -> None:
    arn = application(aws)
    with pytest.raises(ClientError) as error:
        aws.sso_admin.create_application_assignment(
            ApplicationArn=arn, PrincipalId="not-a-guid", PrincipalType="USER"
        )
    assert error_code(error) == "ValidationException"


def test_assignments_page_by_one_hundred(aws: SimulatedAws) -> None:
    arn = application(aws)
    for n in range(101):
        aws.sso_admin.create_application_assignment(
            ApplicationArn=arn, PrincipalId=user(aws, f"user{n}"), PrincipalType="USER"
        )
    first = aws.sso_admin.list_application_assignments(ApplicationArn=arn)
    assert len(first["ApplicationAssignments"]) == 100
    assert len(assigned(aws, arn)) == 101


def test_the_tiny_preset_loads_applications_with_their_assignments(aws: SimulatedAws) -> None:
    manifest = load_plan(plan_organisation(PRESETS["tiny"]))
    listed = aws.sso_admin.list_applications(InstanceArn=aws.instance_arn)["Applications"]
    found = {
        (arn, kind, principal)
        for arn in manifest.applications.values()
        for kind, principal in assigned(aws, arn)
    }
    assert {a["ApplicationArn"] for a in listed} == set(manifest.applications.values())
    assert len(manifest.applications) == PRESETS["tiny"].applications
    assert found == manifest.expected_application_assignments()
    assert len(found) == PRESETS["tiny"].application_assignments


def test_deleting_a_user_or_a_group_deletes_its_application_assignments(
    aws: SimulatedAws,
) -> None:
    arn, kept = application(aws), user(aws, "kept")
    user_id, group_id = user(aws, "leaver"), group(aws, "leavers")
    for kind, principal in (("USER", user_id), ("GROUP", group_id), ("USER", kept)):
        aws.sso_admin.create_application_assignment(
            ApplicationArn=arn, PrincipalId=principal, PrincipalType=kind
        )
    aws.identity_store.delete_user(IdentityStoreId=aws.identity_store_id, UserId=user_id)
    aws.identity_store.delete_group(IdentityStoreId=aws.identity_store_id, GroupId=group_id)
    assert assigned(aws, arn) == {("USER", kept)}
    for kind, principal in (("USER", user_id), ("GROUP", group_id)):
        listed = aws.sso_admin.list_application_assignments_for_principal(
            InstanceArn=aws.instance_arn, PrincipalId=principal, PrincipalType=kind
        )
        assert listed["ApplicationAssignments"] == []
        with pytest.raises(ClientError) as error:
            aws.sso_admin.delete_application_assignment(
                ApplicationArn=arn, PrincipalId=principal, PrincipalType=kind
            )
        assert error_code(error) == "ResourceNotFoundException"
