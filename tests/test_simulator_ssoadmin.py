"""The simulated IAM Identity Center admin API behaves as AWS's does, not as plain moto's.

Every test here goes through boto3 and fails against moto 5.2.5 uncorrected.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from connector.simulator import (
    ManualClock,
    OperationRequest,
    SimulatedAws,
    behaviour,
    simulated_aws,
)
from tests.simulation import group, user

ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
UNKNOWN_PRINCIPAL = "90676c4b-0000-4000-8000-000000000000"


@pytest.fixture
def aws() -> Iterator[SimulatedAws]:
    with simulated_aws() as simulated:
        yield simulated


@pytest.fixture
def clock() -> ManualClock:
    manual = ManualClock()
    behaviour().update(clock=manual)
    return manual


def permission_set(aws: SimulatedAws, name: str = "Readers", **extra: Any) -> str:
    created = aws.sso_admin.create_permission_set(InstanceArn=aws.instance_arn, Name=name, **extra)
    return str(created["PermissionSet"]["PermissionSetArn"])


def assignment_params(
    aws: SimulatedAws,
    ps_arn: str,
    principal_id: str,
    principal_type: str = "USER",
    account: str = ACCOUNT_A,
) -> dict[str, str]:
    return {
        "InstanceArn": aws.instance_arn,
        "TargetId": account,
        "TargetType": "AWS_ACCOUNT",
        "PermissionSetArn": ps_arn,
        "PrincipalType": principal_type,
        "PrincipalId": principal_id,
    }


def create(aws: SimulatedAws, **params: str) -> dict[str, Any]:
    status: dict[str, Any] = aws.sso_admin.create_account_assignment(**params)[
        "AccountAssignmentCreationStatus"
    ]
    return status


def delete(aws: SimulatedAws, **params: str) -> dict[str, Any]:
    status: dict[str, Any] = aws.sso_admin.delete_account_assignment(**params)[
        "AccountAssignmentDeletionStatus"
    ]
    return status


def creation_status(aws: SimulatedAws, request_id: str) -> dict[str, Any]:
    status: dict[str, Any] = aws.sso_admin.describe_account_assignment_creation_status(
        InstanceArn=aws.instance_arn, AccountAssignmentCreationRequestId=request_id
    )["AccountAssignmentCreationStatus"]
    return status


def deletion_status(aws: SimulatedAws, request_id: str) -> dict[str, Any]:
    status: dict[str, Any] = aws.sso_admin.describe_account_assignment_deletion_status(
        InstanceArn=aws.instance_arn, AccountAssignmentDeletionRequestId=request_id
    )["AccountAssignmentDeletionStatus"]
    return status


def listed(aws: SimulatedAws, ps_arn: str, account: str = ACCOUNT_A) -> list[tuple[str, str]]:
    page = aws.sso_admin.list_account_assignments(
        InstanceArn=aws.instance_arn, AccountId=account, PermissionSetArn=ps_arn
    )
    return [(a["PrincipalType"], a["PrincipalId"]) for a in page["AccountAssignments"]]


def all_pages(call: Any, key: str, **params: Any) -> tuple[list[Any], int]:
    items: list[Any] = []
    pages = 0
    while True:
        page = call(**params)
        pages += 1
        items += page[key]
        if not page.get("NextToken"):
            return items, pages
        params["NextToken"] = page["NextToken"]


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


# -- ProvisionPermissionSet and the provisioned listings --------------------------


def test_provision_permission_set_to_an_account_reports_that_account(aws: SimulatedAws) -> None:
    ps_arn = permission_set(aws)
    status = aws.sso_admin.provision_permission_set(
        InstanceArn=aws.instance_arn,
        PermissionSetArn=ps_arn,
        TargetType="AWS_ACCOUNT",
        TargetId=ACCOUNT_A,
    )["PermissionSetProvisioningStatus"]

    assert status["Status"] == "IN_PROGRESS"
    assert status["AccountId"] == ACCOUNT_A
    assert status["PermissionSetArn"] == ps_arn
    assert status["RequestId"] and status["CreatedDate"]
    described = aws.sso_admin.describe_permission_set_provisioning_status(
        InstanceArn=aws.instance_arn, ProvisionPermissionSetRequestId=status["RequestId"]
    )["PermissionSetProvisioningStatus"]
    assert described["Status"] == "SUCCEEDED"
    assert described["AccountId"] == ACCOUNT_A


def test_provision_permission_set_to_an_account_requires_a_target_id(aws: SimulatedAws) -> None:
    ps_arn = permission_set(aws)
    with pytest.raises(ClientError) as error:
        aws.sso_admin.provision_permission_set(
            InstanceArn=aws.instance_arn, PermissionSetArn=ps_arn, TargetType="AWS_ACCOUNT"
        )
    assert error_code(error) == "ValidationException"


def test_provisioning_stays_in_progress_until_the_delay_passes(
    aws: SimulatedAws, clock: ManualClock
) -> None:
    behaviour().update(provisioning_delay_seconds=10)
    ps_arn = permission_set(aws)
    request_id = aws.sso_admin.provision_permission_set(
        InstanceArn=aws.instance_arn,
        PermissionSetArn=ps_arn,
        TargetType="AWS_ACCOUNT",
        TargetId=ACCOUNT_A,
    )["PermissionSetProvisioningStatus"]["RequestId"]

    def state() -> tuple[str, list[str]]:
        status = aws.sso_admin.describe_permission_set_provisioning_status(
            InstanceArn=aws.instance_arn, ProvisionPermissionSetRequestId=request_id
        )["PermissionSetProvisioningStatus"]["Status"]
        accounts = aws.sso_admin.list_accounts_for_provisioned_permission_set(
            InstanceArn=aws.instance_arn, PermissionSetArn=ps_arn
        )["AccountIds"]
        return status, accounts

    assert state() == ("IN_PROGRESS", [])
    clock.advance(10)
    assert state() == ("SUCCEEDED", [ACCOUNT_A])


def test_list_accounts_for_provisioned_permission_set_lists_each_target_account(
    aws: SimulatedAws,
) -> None:
    ps_arn = permission_set(aws)
    accounts = [f"{n:012d}" for n in range(1, 6)]
    for account in accounts:
        aws.sso_admin.provision_permission_set(
            InstanceArn=aws.instance_arn,
            PermissionSetArn=ps_arn,
            TargetType="AWS_ACCOUNT",
            TargetId=account,
        )

    listed_accounts, pages = all_pages(
        aws.sso_admin.list_accounts_for_provisioned_permission_set,
        "AccountIds",
        InstanceArn=aws.instance_arn,
        PermissionSetArn=ps_arn,
        MaxResults=2,
    )
    assert listed_accounts == accounts
    assert pages == 3


def test_list_permission_sets_provisioned_to_account_honours_account_id(
    aws: SimulatedAws,
) -> None:
    first, second = permission_set(aws, "First"), permission_set(aws, "Second")
    for ps_arn, account in ((first, ACCOUNT_A), (second, ACCOUNT_B)):
        aws.sso_admin.provision_permission_set(
            InstanceArn=aws.instance_arn,
            PermissionSetArn=ps_arn,
            TargetType="AWS_ACCOUNT",
            TargetId=account,
        )

    def provisioned_to(account: str) -> list[str]:
        return list(
            aws.sso_admin.list_permission_sets_provisioned_to_account(
                InstanceArn=aws.instance_arn, AccountId=account
            )["PermissionSets"]
        )

    assert provisioned_to(ACCOUNT_A) == [first]
    assert provisioned_to(ACCOUNT_B) == [second]
    assert provisioned_to("333333333333") == []


_CHANGES: dict[str, Any] = {
    "update": lambda sso, ps: sso.update_permission_set(**ps, SessionDuration="PT2H"),
    "inline policy": lambda sso, ps: sso.put_inline_policy_to_permission_set(
        **ps, InlinePolicy='{"Version": "2012-10-17", "Statement": []}'
    ),
    "managed policy": lambda sso, ps: sso.attach_managed_policy_to_permission_set(
        **ps, ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    ),
    "customer managed policy": lambda sso, ps: (
        sso.attach_customer_managed_policy_reference_to_permission_set(
            **ps, CustomerManagedPolicyReference={"Name": "Auditors", "Path": "/"}
        )
    ),
    "permissions boundary": lambda sso, ps: sso.put_permissions_boundary_to_permission_set(
        **ps, PermissionsBoundary={"ManagedPolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    ),
}


@pytest.mark.parametrize("change", sorted(_CHANGES))
def test_each_change_leaves_every_provisioned_copy_out_of_date_until_provisioned_again(
    aws: SimulatedAws, change: str
) -> None:
    """API_CreateAccountAssignment: "If the permission set is subsequently updated, the
    corresponding IAM policies attached to roles in your accounts will not be updated
    automatically ... you must call ProvisionPermissionSet"; the per-set listing's
    ProvisioningStatus filter tells the two apart."""
    ps = {"InstanceArn": aws.instance_arn, "PermissionSetArn": permission_set(aws)}
    for account in (ACCOUNT_A, ACCOUNT_B):
        aws.sso_admin.provision_permission_set(**ps, TargetType="AWS_ACCOUNT", TargetId=account)

    def accounts(status: str) -> list[str]:
        return sorted(
            aws.sso_admin.list_accounts_for_provisioned_permission_set(
                **ps, ProvisioningStatus=status
            )["AccountIds"]
        )

    assert accounts("LATEST_PERMISSION_SET_NOT_PROVISIONED") == []
    _CHANGES[change](aws.sso_admin, ps)
    assert accounts("LATEST_PERMISSION_SET_NOT_PROVISIONED") == [ACCOUNT_A, ACCOUNT_B]
    assert accounts("LATEST_PERMISSION_SET_PROVISIONED") == []
    aws.sso_admin.provision_permission_set(**ps, TargetType="AWS_ACCOUNT", TargetId=ACCOUNT_A)
    assert accounts("LATEST_PERMISSION_SET_NOT_PROVISIONED") == [ACCOUNT_B]
    assert accounts("LATEST_PERMISSION_SET_PROVISIONED") == [ACCOUNT_A]


def test_changed_permission_set_is_not_latest_until_reprovisioned_to_all_accounts(
    aws: SimulatedAws,
) -> None:
    ps_arn = permission_set(aws)
    aws.sso_admin.provision_permission_set(
        InstanceArn=aws.instance_arn,
        PermissionSetArn=ps_arn,
        TargetType="AWS_ACCOUNT",
        TargetId=ACCOUNT_A,
    )
    aws.sso_admin.put_inline_policy_to_permission_set(
        InstanceArn=aws.instance_arn, PermissionSetArn=ps_arn, InlinePolicy='{"Statement": []}'
    )

    def with_status(status: str) -> list[str]:
        return list(
            aws.sso_admin.list_permission_sets_provisioned_to_account(
                InstanceArn=aws.instance_arn, AccountId=ACCOUNT_A, ProvisioningStatus=status
            )["PermissionSets"]
        )

    assert with_status("LATEST_PERMISSION_SET_NOT_PROVISIONED") == [ps_arn]
    aws.sso_admin.provision_permission_set(
        InstanceArn=aws.instance_arn,
        PermissionSetArn=ps_arn,
        TargetType="ALL_PROVISIONED_ACCOUNTS",
    )
    assert with_status("LATEST_PERMISSION_SET_NOT_PROVISIONED") == []
    assert with_status("LATEST_PERMISSION_SET_PROVISIONED") == [ps_arn]


# -- CreateAccountAssignment ------------------------------------------------------


def test_create_account_assignment_for_unknown_permission_set_is_not_found(
    aws: SimulatedAws,
) -> None:
    missing = f"{aws.instance_arn.replace(':instance/', ':permissionSet/')}/ps-0000000000000000"
    with pytest.raises(ClientError) as error:
        create(aws, **assignment_params(aws, missing, user(aws)))
    assert error_code(error) == "ResourceNotFoundException"


@pytest.mark.parametrize("principal_type", ["USER", "GROUP"])
def test_create_account_assignment_for_unknown_principal_fails_with_a_reason(
    aws: SimulatedAws, principal_type: str
) -> None:
    ps_arn = permission_set(aws)
    started = create(aws, **assignment_params(aws, ps_arn, UNKNOWN_PRINCIPAL, principal_type))

    assert started["Status"] == "IN_PROGRESS"
    status = creation_status(aws, started["RequestId"])
    assert status["Status"] == "FAILED"
    assert UNKNOWN_PRINCIPAL in status["FailureReason"]
    assert listed(aws, ps_arn) == []


@pytest.mark.parametrize(
    ("parameter", "value"), [("TargetId", "12345678901x"), ("PrincipalId", "not-a-principal-id")]
)
def test_malformed_assignment_ids_are_rejected_at_once(
    aws: SimulatedAws, parameter: str, value: str
) -> None:
    params = assignment_params(aws, permission_set(aws), user(aws))
    params[parameter] = value
    with pytest.raises(ClientError) as error:
        create(aws, **params)
    assert error_code(error) == "ValidationException"


def test_a_user_id_is_not_a_group_principal(aws: SimulatedAws) -> None:
    ps_arn = permission_set(aws)
    started = create(aws, **assignment_params(aws, ps_arn, user(aws), "GROUP"))
    assert creation_status(aws, started["RequestId"])["Status"] == "FAILED"


def test_create_account_assignment_is_in_progress_until_the_delay_passes(
    aws: SimulatedAws, clock: ManualClock
) -> None:
    behaviour().update(assignment_delay_seconds=30)
    ps_arn, user_id = permission_set(aws), user(aws)
    started = create(aws, **assignment_params(aws, ps_arn, user_id))

    clock.advance(29)
    assert creation_status(aws, started["RequestId"])["Status"] == "IN_PROGRESS"
    assert listed(aws, ps_arn) == []
    clock.advance(1)
    status = creation_status(aws, started["RequestId"])
    assert status["Status"] == "SUCCEEDED"
    assert "FailureReason" not in status
    assert listed(aws, ps_arn) == [("USER", user_id)]


def test_creating_an_existing_assignment_succeeds_without_duplicating_it(
    aws: SimulatedAws,
) -> None:
    ps_arn, user_id = permission_set(aws), user(aws)
    params = assignment_params(aws, ps_arn, user_id)
    first, second = create(aws, **params), create(aws, **params)

    assert first["RequestId"] != second["RequestId"]
    assert creation_status(aws, second["RequestId"])["Status"] == "SUCCEEDED"
    assert listed(aws, ps_arn) == [("USER", user_id)]


def test_assignment_for_a_failing_principal_fails_with_the_configured_reason(
    aws: SimulatedAws,
) -> None:
    ps_arn, user_id = permission_set(aws), user(aws)
    behaviour().update(failing_principal_ids={user_id}, failure_reason="Quota exceeded")
    started = create(aws, **assignment_params(aws, ps_arn, user_id))

    status = creation_status(aws, started["RequestId"])
    assert (status["Status"], status["FailureReason"]) == ("FAILED", "Quota exceeded")
    assert listed(aws, ps_arn) == []


def test_assignment_with_a_failing_permission_set_fails(aws: SimulatedAws) -> None:
    ps_arn, user_id = permission_set(aws), user(aws)
    behaviour().update(failing_permission_set_arns={ps_arn})
    started = create(aws, **assignment_params(aws, ps_arn, user_id))
    assert creation_status(aws, started["RequestId"])["Status"] == "FAILED"


def test_failure_hook_decides_which_requests_fail(aws: SimulatedAws) -> None:
    ps_arn, ada, bob = permission_set(aws), user(aws, "ada"), user(aws, "bob")
    seen: list[OperationRequest] = []

    def fail_bob(request: OperationRequest) -> str | None:
        seen.append(request)
        return "Bob may not" if request.principal_id == bob else None

    behaviour().update(failure_hook=fail_bob)
    ada_request = create(aws, **assignment_params(aws, ps_arn, ada))["RequestId"]
    bob_request = create(aws, **assignment_params(aws, ps_arn, bob))["RequestId"]

    assert creation_status(aws, ada_request)["Status"] == "SUCCEEDED"
    assert creation_status(aws, bob_request)["FailureReason"] == "Bob may not"
    assert [(r.kind, r.target_id) for r in seen] == [("ASSIGNMENT_CREATION", ACCOUNT_A)] * 2


def test_successful_assignment_provisions_its_permission_set_to_the_account(
    aws: SimulatedAws,
) -> None:
    ps_arn = permission_set(aws)
    create(aws, **assignment_params(aws, ps_arn, group(aws), "GROUP", account=ACCOUNT_B))

    accounts = aws.sso_admin.list_accounts_for_provisioned_permission_set(
        InstanceArn=aws.instance_arn, PermissionSetArn=ps_arn
    )["AccountIds"]
    assert accounts == [ACCOUNT_B]


def test_list_account_assignment_creation_status_filters_by_status(aws: SimulatedAws) -> None:
    ps_arn = permission_set(aws)
    succeeded = create(aws, **assignment_params(aws, ps_arn, user(aws)))["RequestId"]
    failed = create(aws, **assignment_params(aws, ps_arn, UNKNOWN_PRINCIPAL))["RequestId"]

    def ids(status: str) -> list[str]:
        page = aws.sso_admin.list_account_assignment_creation_status(
            InstanceArn=aws.instance_arn, Filter={"Status": status}
        )
        return [item["RequestId"] for item in page["AccountAssignmentsCreationStatus"]]

    assert ids("SUCCEEDED") == [succeeded]
    assert ids("FAILED") == [failed]


# -- DeleteAccountAssignment ------------------------------------------------------


def test_deleted_assignment_stays_listed_until_the_deletion_succeeds(
    aws: SimulatedAws, clock: ManualClock
) -> None:
    ps_arn, user_id = permission_set(aws), user(aws)
    params = assignment_params(aws, ps_arn, user_id)
    create(aws, **params)
    behaviour().update(assignment_delay_seconds=5)
    started = delete(aws, **params)

    assert started["Status"] == "IN_PROGRESS"
    assert deletion_status(aws, started["RequestId"])["Status"] == "IN_PROGRESS"
    assert listed(aws, ps_arn) == [("USER", user_id)]
    clock.advance(5)
    assert deletion_status(aws, started["RequestId"])["Status"] == "SUCCEEDED"
    assert listed(aws, ps_arn) == []


def test_deleting_a_missing_assignment_fails_with_a_reason(aws: SimulatedAws) -> None:
    ps_arn = permission_set(aws)
    started = delete(aws, **assignment_params(aws, ps_arn, user(aws)))

    status = deletion_status(aws, started["RequestId"])
    assert status["Status"] == "FAILED"
    assert status["FailureReason"]


def test_failed_deletion_keeps_the_assignment(aws: SimulatedAws) -> None:
    ps_arn, user_id = permission_set(aws), user(aws)
    params = assignment_params(aws, ps_arn, user_id)
    create(aws, **params)
    behaviour().update(failing_principal_ids={user_id})
    started = delete(aws, **params)

    assert deletion_status(aws, started["RequestId"])["Status"] == "FAILED"
    assert listed(aws, ps_arn) == [("USER", user_id)]
    page = aws.sso_admin.list_account_assignment_deletion_status(
        InstanceArn=aws.instance_arn, Filter={"Status": "FAILED"}
    )
    assert [s["RequestId"] for s in page["AccountAssignmentsDeletionStatus"]] == [
        started["RequestId"]
    ]


def test_describing_an_unknown_request_is_not_found(aws: SimulatedAws) -> None:
    with pytest.raises(ClientError) as error:
        creation_status(aws, "a4f3b4a4-0000-0000-0000-000000000000")
    assert error_code(error) == "ResourceNotFoundException"


# -- Listings ---------------------------------------------------------------------


def test_list_account_assignments_for_a_user_includes_assignments_through_groups(
    aws: SimulatedAws,
) -> None:
    ps_arn, user_id, group_id = permission_set(aws), user(aws), group(aws)
    aws.identity_store.create_group_membership(
        IdentityStoreId=aws.identity_store_id, GroupId=group_id, MemberId={"UserId": user_id}
    )
    create(aws, **assignment_params(aws, ps_arn, user_id, account=ACCOUNT_A))
    create(aws, **assignment_params(aws, ps_arn, group_id, "GROUP", account=ACCOUNT_B))

    def for_principal(principal_id: str, principal_type: str, **extra: Any) -> set[tuple[str, ...]]:
        page = aws.sso_admin.list_account_assignments_for_principal(
            InstanceArn=aws.instance_arn,
            PrincipalId=principal_id,
            PrincipalType=principal_type,
            **extra,
        )
        return {
            (a["AccountId"], a["PrincipalType"], a["PrincipalId"])
            for a in page["AccountAssignments"]
        }

    assert for_principal(user_id, "USER") == {
        (ACCOUNT_A, "USER", user_id),
        (ACCOUNT_B, "GROUP", group_id),
    }
    assert for_principal(user_id, "USER", Filter={"AccountId": ACCOUNT_B}) == {
        (ACCOUNT_B, "GROUP", group_id)
    }
    assert for_principal(group_id, "GROUP") == {(ACCOUNT_B, "GROUP", group_id)}


def test_list_account_assignments_pages_with_next_token(aws: SimulatedAws) -> None:
    ps_arn = permission_set(aws)
    groups = [group(aws, f"Team {n}") for n in range(7)]
    for group_id in groups:
        create(aws, **assignment_params(aws, ps_arn, group_id, "GROUP"))

    items, pages = all_pages(
        aws.sso_admin.list_account_assignments,
        "AccountAssignments",
        InstanceArn=aws.instance_arn,
        AccountId=ACCOUNT_A,
        PermissionSetArn=ps_arn,
        MaxResults=3,
    )
    assert [a["PrincipalId"] for a in items] == groups
    assert pages == 3


@pytest.mark.parametrize(
    "operation",
    [
        "list_permission_sets",
        "list_account_assignments",
        "list_managed_policies_in_permission_set",
        "list_customer_managed_policy_references_in_permission_set",
        "list_accounts_for_provisioned_permission_set",
        "list_permission_sets_provisioned_to_account",
        "list_account_assignments_for_principal",
    ],
)
def test_list_operations_reject_max_results_above_100(aws: SimulatedAws, operation: str) -> None:
    ps_arn = permission_set(aws)
    params: dict[str, Any] = {
        "InstanceArn": aws.instance_arn,
        "PermissionSetArn": ps_arn,
        "AccountId": ACCOUNT_A,
        "PrincipalId": user(aws),
        "PrincipalType": "USER",
    }
    model = aws.sso_admin.meta.service_model.operation_model(
        aws.sso_admin.meta.method_to_api_mapping[operation]
    )
    accepted = {k: v for k, v in params.items() if k in model.input_shape.members}

    getattr(aws.sso_admin, operation)(MaxResults=100, **accepted)
    with pytest.raises(ClientError) as error:
        getattr(aws.sso_admin, operation)(MaxResults=101, **accepted)
    assert error_code(error) == "ValidationException"


# -- Permission sets --------------------------------------------------------------


def test_permission_set_names_are_unique_within_an_instance(aws: SimulatedAws) -> None:
    permission_set(aws, "Admins")
    with pytest.raises(ClientError) as error:
        permission_set(aws, "Admins")
    assert error_code(error) == "ConflictException"


def test_managed_policies_outside_the_root_path_can_be_attached(aws: SimulatedAws) -> None:
    ps_arn = permission_set(aws)
    arn = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
    aws.sso_admin.attach_managed_policy_to_permission_set(
        InstanceArn=aws.instance_arn, PermissionSetArn=ps_arn, ManagedPolicyArn=arn
    )
    attached = aws.sso_admin.list_managed_policies_in_permission_set(
        InstanceArn=aws.instance_arn, PermissionSetArn=ps_arn
    )["AttachedManagedPolicies"]
    assert attached == [{"Arn": arn, "Name": "ViewOnlyAccess"}]


def test_permissions_boundary_can_be_put_read_and_deleted(aws: SimulatedAws) -> None:
    ps_arn = permission_set(aws)
    target = {"InstanceArn": aws.instance_arn, "PermissionSetArn": ps_arn}
    boundary = {"CustomerManagedPolicyReference": {"Name": "Boundary", "Path": "/limits/"}}

    aws.sso_admin.put_permissions_boundary_to_permission_set(PermissionsBoundary=boundary, **target)
    read = aws.sso_admin.get_permissions_boundary_for_permission_set(**target)
    assert read["PermissionsBoundary"] == boundary
    aws.sso_admin.delete_permissions_boundary_from_permission_set(**target)
    for call in (
        aws.sso_admin.get_permissions_boundary_for_permission_set,
        aws.sso_admin.delete_permissions_boundary_from_permission_set,
    ):
        with pytest.raises(ClientError) as error:
            call(**target)
        assert error_code(error) == "ResourceNotFoundException"


def test_permissions_boundary_managed_policy_must_exist(aws: SimulatedAws) -> None:
    ps_arn = permission_set(aws)
    with pytest.raises(ClientError) as error:
        aws.sso_admin.put_permissions_boundary_to_permission_set(
            InstanceArn=aws.instance_arn,
            PermissionSetArn=ps_arn,
            PermissionsBoundary={"ManagedPolicyArn": "arn:aws:iam::aws:policy/NoSuchPolicy"},
        )
    assert error_code(error) == "ResourceNotFoundException"


def test_permission_set_tags_from_creation_can_be_listed_and_changed(aws: SimulatedAws) -> None:
    ps_arn = permission_set(aws, Tags=[{"Key": "team", "Value": "payments"}])
    target = {"InstanceArn": aws.instance_arn, "ResourceArn": ps_arn}

    def tags() -> dict[str, str]:
        page = aws.sso_admin.list_tags_for_resource(**target)
        return {tag["Key"]: tag["Value"] for tag in page["Tags"]}

    assert tags() == {"team": "payments"}
    aws.sso_admin.tag_resource(Tags=[{"Key": "owner", "Value": "iga"}], **target)
    aws.sso_admin.untag_resource(TagKeys=["team"], **target)
    assert tags() == {"owner": "iga"}


def test_tagging_an_unknown_permission_set_is_not_found(aws: SimulatedAws) -> None:
    with pytest.raises(ClientError) as error:
        aws.sso_admin.list_tags_for_resource(
            InstanceArn=aws.instance_arn, ResourceArn=f"{aws.instance_arn}/ps-0000000000000000"
        )
    assert error_code(error) == "ResourceNotFoundException"


def test_updating_a_permission_set_changes_only_what_the_request_names(
    aws: SimulatedAws,
) -> None:
    arn = permission_set(aws, SessionDuration="PT4H", RelayState="https://console.aws.amazon.com/")

    aws.sso_admin.update_permission_set(
        InstanceArn=aws.instance_arn, PermissionSetArn=arn, Description="Edited"
    )

    described = aws.sso_admin.describe_permission_set(
        InstanceArn=aws.instance_arn, PermissionSetArn=arn
    )["PermissionSet"]
    assert described["Description"] == "Edited"
    assert described["SessionDuration"] == "PT4H"
    assert described["RelayState"] == "https://console.aws.amazon.com/"
