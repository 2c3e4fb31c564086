"""sso-admin wire layer: the operations moto lacks or answers unlike AWS.

moto's response class hard-codes ``Status: SUCCEEDED`` in every assignment and
provisioning answer and drops TargetType/TargetId, AccountId and pagination
parameters before they reach the backend. These handlers pass every request
parameter of the AWS API reference through and serialise what the corrected
backend returns; everything else is moto's.

Request ids: moto answers every request with a 52-character
``x-amzn-RequestId``; AWS's sso-admin ids are UUIDs, and an assignment
request's own ``RequestId`` is the id of the call that started it: published
console CreateAccountAssignment and DeleteAccountAssignment events carry the
same UUID as ``requestID`` and as ``responseElements.accountAssignment
CreationStatus.requestId`` (``...DeletionStatus``). So a client holding
either id finds the call's event.
"""

from __future__ import annotations

import json
from typing import Any

from moto.moto_api._internal import mock_random
from moto.ssoadmin.responses import SSOAdminResponse

from ..behaviour import OperationKind
from .models import CorrectedSSOAdminBackend
from .validation import ACCOUNT_ID, PERMISSION_SET_NAME, PRINCIPAL_ID, check


class CorrectedSSOAdminResponse(SSOAdminResponse):
    @staticmethod
    def _enrich_response(  # type: ignore[override]
        headers: dict[str, str], body: Any
    ) -> tuple[dict[str, str], Any]:
        """moto's headers, with AWS's request id (see the module docstring)."""
        headers, body = SSOAdminResponse._enrich_response(headers, body)
        headers["x-amzn-requestid"] = _started_request_id(body) or str(mock_random.uuid4())
        return headers, body

    @property
    def corrected_backend(self) -> CorrectedSSOAdminBackend:
        backend = self.ssoadmin_backend
        assert isinstance(backend, CorrectedSSOAdminBackend)
        return backend

    def _assignment_params(self) -> dict[str, Any]:
        check("targetId", self._get_param("TargetId"), ACCOUNT_ID)
        check("principalId", self._get_param("PrincipalId"), PRINCIPAL_ID)
        return {
            "instance_arn": self._get_param("InstanceArn"),
            "target_id": self._get_param("TargetId"),
            "target_type": self._get_param("TargetType"),
            "permission_set_arn": self._get_param("PermissionSetArn"),
            "principal_type": self._get_param("PrincipalType"),
            "principal_id": self._get_param("PrincipalId"),
        }

    def _pagination(self) -> dict[str, Any]:
        return {
            "max_results": self._get_param("MaxResults"),
            "next_token": self._get_param("NextToken"),
        }

    def update_permission_set(self) -> str:
        """moto's, without a session duration of 3600 for one the request left out."""
        self.corrected_backend.update_permission_set(
            instance_arn=self._get_param("InstanceArn"),
            permission_set_arn=self._get_param("PermissionSetArn"),
            description=self._get_param("Description"),
            session_duration=self._get_param("SessionDuration"),
            relay_state=self._get_param("RelayState"),
        )
        return "{}"

    def create_account_assignment(self) -> str:
        status = self.corrected_backend.create_account_assignment(**self._assignment_params())
        return json.dumps({"AccountAssignmentCreationStatus": status})

    def delete_account_assignment(self) -> str:
        status = self.corrected_backend.delete_account_assignment(**self._assignment_params())
        return json.dumps({"AccountAssignmentDeletionStatus": status})

    def describe_account_assignment_creation_status(self) -> str:
        status = self.corrected_backend.describe_account_assignment_creation_status(
            account_assignment_creation_request_id=self._get_param(
                "AccountAssignmentCreationRequestId"
            ),
            instance_arn=self._get_param("InstanceArn"),
        )
        return json.dumps({"AccountAssignmentCreationStatus": status})

    def describe_account_assignment_deletion_status(self) -> str:
        status = self.corrected_backend.describe_account_assignment_deletion_status(
            account_assignment_deletion_request_id=self._get_param(
                "AccountAssignmentDeletionRequestId"
            ),
            instance_arn=self._get_param("InstanceArn"),
        )
        return json.dumps({"AccountAssignmentDeletionStatus": status})

    def _list_statuses(self, kind: OperationKind, result_key: str) -> str:
        operations, next_token = self.corrected_backend.list_operation_statuses(
            kind=kind,
            instance_arn=self._get_param("InstanceArn"),
            status=(self._get_param("Filter") or {}).get("Status"),
            **self._pagination(),
        )
        return json.dumps(
            {result_key: [o.to_metadata_json() for o in operations], "NextToken": next_token}
        )

    def list_account_assignment_creation_status(self) -> str:
        return self._list_statuses("ASSIGNMENT_CREATION", "AccountAssignmentsCreationStatus")

    def list_account_assignment_deletion_status(self) -> str:
        return self._list_statuses("ASSIGNMENT_DELETION", "AccountAssignmentsDeletionStatus")

    def list_permission_set_provisioning_status(self) -> str:
        return self._list_statuses(
            "PERMISSION_SET_PROVISIONING", "PermissionSetsProvisioningStatus"
        )

    def create_permission_set(self) -> str:
        check("name", self._get_param("Name"), PERMISSION_SET_NAME)
        return super().create_permission_set()

    def list_account_assignments(self) -> str:
        check("accountId", self._get_param("AccountId"), ACCOUNT_ID)
        return super().list_account_assignments()

    def list_account_assignments_for_principal(self) -> str:
        check("principalId", self._get_param("PrincipalId"), PRINCIPAL_ID)
        check("filter.accountId", (self._get_param("Filter") or {}).get("AccountId"), ACCOUNT_ID)
        return super().list_account_assignments_for_principal()

    def provision_permission_set(self) -> str:
        check("targetId", self._get_param("TargetId"), ACCOUNT_ID)
        status = self.corrected_backend.provision_permission_set(
            instance_arn=self._get_param("InstanceArn"),
            permission_set_arn=self._get_param("PermissionSetArn"),
            target_id=self._get_param("TargetId"),
            target_type=self._get_param("TargetType"),
        )
        return json.dumps({"PermissionSetProvisioningStatus": status})

    def describe_permission_set_provisioning_status(self) -> str:
        status = self.corrected_backend.describe_permission_set_provisioning_status(
            instance_arn=self._get_param("InstanceArn"),
            provision_permission_set_request_id=self._get_param("ProvisionPermissionSetRequestId"),
        )
        return json.dumps({"PermissionSetProvisioningStatus": status})

    def list_accounts_for_provisioned_permission_set(self) -> str:
        account_ids, next_token = (
            self.corrected_backend.list_accounts_for_provisioned_permission_set(
                instance_arn=self._get_param("InstanceArn"),
                permission_set_arn=self._get_param("PermissionSetArn"),
                provisioning_status=self._get_param("ProvisioningStatus"),
                **self._pagination(),
            )
        )
        return json.dumps({"AccountIds": account_ids, "NextToken": next_token})

    def list_permission_sets_provisioned_to_account(self) -> str:
        check("accountId", self._get_param("AccountId"), ACCOUNT_ID)
        arns, next_token = self.corrected_backend.list_permission_sets_provisioned_to_account(
            instance_arn=self._get_param("InstanceArn"),
            account_id=self._get_param("AccountId"),
            provisioning_status=self._get_param("ProvisioningStatus"),
            **self._pagination(),
        )
        return json.dumps({"PermissionSets": arns, "NextToken": next_token})

    def put_permissions_boundary_to_permission_set(self) -> str:
        self.corrected_backend.put_permissions_boundary_to_permission_set(
            instance_arn=self._get_param("InstanceArn"),
            permission_set_arn=self._get_param("PermissionSetArn"),
            permissions_boundary=self._get_param("PermissionsBoundary") or {},
        )
        return "{}"

    def get_permissions_boundary_for_permission_set(self) -> str:
        boundary = self.corrected_backend.get_permissions_boundary_for_permission_set(
            instance_arn=self._get_param("InstanceArn"),
            permission_set_arn=self._get_param("PermissionSetArn"),
        )
        return json.dumps({"PermissionsBoundary": boundary})

    def delete_permissions_boundary_from_permission_set(self) -> str:
        self.corrected_backend.delete_permissions_boundary_from_permission_set(
            instance_arn=self._get_param("InstanceArn"),
            permission_set_arn=self._get_param("PermissionSetArn"),
        )
        return "{}"

    def tag_resource(self) -> str:
        self.corrected_backend.tag_resource(
            resource_arn=self._get_param("ResourceArn"), tags=self._get_param("Tags") or []
        )
        return "{}"

    def untag_resource(self) -> str:
        self.corrected_backend.untag_resource(
            resource_arn=self._get_param("ResourceArn"), tag_keys=self._get_param("TagKeys") or []
        )
        return "{}"

    def list_tags_for_resource(self) -> str:
        tags, next_token = self.corrected_backend.list_tags_for_resource(
            resource_arn=self._get_param("ResourceArn"), next_token=self._get_param("NextToken")
        )
        return json.dumps({"Tags": tags, "NextToken": next_token})

    # -- applications (applications.py) ----------------------------------------

    def create_application(self) -> str:
        application = self.corrected_backend.applications.create_application(
            self._get_param("InstanceArn"),
            self._get_param("Name"),
            self._get_param("ApplicationProviderArn"),
            description=self._get_param("Description"),
            status=self._get_param("Status"),
            portal_options=self._get_param("PortalOptions"),
        )
        return json.dumps({"ApplicationArn": application.arn})

    def describe_application(self) -> str:
        applications = self.corrected_backend.applications
        return json.dumps(applications.describe_application(self._get_param("ApplicationArn")))

    def list_applications(self) -> str:
        found, next_token = self.corrected_backend.applications.list_applications(
            instance_arn=self._get_param("InstanceArn"),
            filter_=self._get_param("Filter"),
            **self._pagination(),
        )
        return json.dumps({"Applications": found, "NextToken": next_token})

    def get_application_assignment_configuration(self) -> str:
        required = self.corrected_backend.applications.get_assignment_configuration(
            self._get_param("ApplicationArn")
        )
        return json.dumps({"AssignmentRequired": required})

    def put_application_assignment_configuration(self) -> str:
        self.corrected_backend.applications.put_assignment_configuration(
            self._get_param("ApplicationArn"), bool(self._get_param("AssignmentRequired"))
        )
        return "{}"

    def _application_assignment_params(self) -> dict[str, Any]:
        return {
            "application_arn": self._get_param("ApplicationArn"),
            "principal_type": self._get_param("PrincipalType"),
            "principal_id": self._get_param("PrincipalId"),
        }

    def create_application_assignment(self) -> str:
        self.corrected_backend.applications.create_assignment(
            **self._application_assignment_params()
        )
        return "{}"

    def delete_application_assignment(self) -> str:
        self.corrected_backend.applications.delete_assignment(
            **self._application_assignment_params()
        )
        return "{}"

    def list_application_assignments(self) -> str:
        found, next_token = self.corrected_backend.applications.list_assignments(
            application_arn=self._get_param("ApplicationArn"), **self._pagination()
        )
        return json.dumps({"ApplicationAssignments": found, "NextToken": next_token})

    def list_application_assignments_for_principal(self) -> str:
        found, next_token = self.corrected_backend.applications.list_assignments_for_principal(
            instance_arn=self._get_param("InstanceArn"),
            principal_type=self._get_param("PrincipalType"),
            principal_id=self._get_param("PrincipalId"),
            filter_=self._get_param("Filter"),
            **self._pagination(),
        )
        return json.dumps({"ApplicationAssignments": found, "NextToken": next_token})


_STARTED = ("AccountAssignmentCreationStatus", "AccountAssignmentDeletionStatus")


def _started_request_id(body: Any) -> str | None:
    """The RequestId of the assignment request an answer started, if it started one."""
    try:
        answer = json.loads(body) if isinstance(body, str | bytes) and body else None
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return None
    for key in _STARTED:
        status = answer.get(key)
        if isinstance(status, dict) and isinstance(status.get("RequestId"), str):
            return str(status["RequestId"])
    return None
