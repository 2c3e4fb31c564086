"""The life-cycle of sso-admin's assignments and provisioning, as AWS runs it.

Each override says which AWS API page it follows. moto 5.2.5:

* finishes assignment and provisioning requests at once and never fails them;
  AWS answers IN_PROGRESS and settles later, possibly FAILED (``operations.py``);
* accepts assignments for principals that do not exist;
* ignores TargetType/TargetId of ProvisionPermissionSet and AccountId of
  ListPermissionSetsProvisionedToAccount, and reports the caller's account as the
  one every permission set is provisioned to;
* does not provision a permission set to the account an assignment is created in;
* accepts any MaxResults (AWS: 1-100) and scans every assignment per listing;
* lists a user's direct assignments only, where AWS lists the accounts the user
  has access to, through groups too.

Permission sets themselves are corrected one layer down, in ``permission_sets.py``.
All state changes happen under one lock: the ThreadedMotoServer serves requests
from several threads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType
from typing import Any, Concatenate, ParamSpec, TypeVar

from moto.identitystore.models import identitystore_backends
from moto.ssoadmin.models import Instance

from ..behaviour import OperationKind, behaviour
from ..identitystore.models import CorrectedIdentityStoreBackend
from ..pagination import PageRule, page
from .applications import ApplicationDirectory
from .assignments import AssignmentKey, AssignmentStore, ProvisionedPairs
from .exceptions import ResourceNotFoundException, ValidationException
from .operations import Operation, OperationLog
from .permission_sets import MAX_RESULTS, PermissionSetBackend

P = ParamSpec("P")
R = TypeVar("R")

PRINCIPAL_TYPES = ("USER", "GROUP")
LATEST = "LATEST_PERMISSION_SET_PROVISIONED"

ASSIGNMENTS = PageRule[dict[str, str]](
    MAX_RESULTS,
    MAX_RESULTS,
    lambda a: "|".join(
        (a["AccountId"], a["PermissionSetArn"], a["PrincipalType"], a["PrincipalId"])
    ),
)
ACCOUNT_IDS = PageRule[str](MAX_RESULTS, MAX_RESULTS, lambda account_id: account_id)
PERMISSION_SET_ARNS = PageRule[str](MAX_RESULTS, MAX_RESULTS, lambda arn: arn)
OPERATIONS = PageRule[Operation](MAX_RESULTS, MAX_RESULTS, lambda operation: operation.request_id)


def _settled(
    method: Callable[Concatenate[CorrectedSSOAdminBackend, P], R],
) -> Callable[Concatenate[CorrectedSSOAdminBackend, P], R]:
    """Run ``method`` under the backend lock, after settling every due request."""

    def wrapper(backend: CorrectedSSOAdminBackend, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with backend._lock:
            backend._settle()
            return method(backend, *args, **kwargs)

    functools.update_wrapper(wrapper, method)
    return wrapper


class CorrectedSSOAdminBackend(PermissionSetBackend):
    """sso-admin with AWS's asynchronous, validated, indexed assignments and provisioning."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self._init_assignments()

    def _init_assignments(self) -> None:
        """Succeeded assignments, provisioned pairs, the request log and applications."""
        self._assignments = AssignmentStore()
        self._provisioned = ProvisionedPairs()
        self._operations = OperationLog()
        self.applications = ApplicationDirectory(
            self.account_id, self.region_name, self._identity_store_of, self._principal_exists
        )

    def _adopt_moto_state(self) -> None:
        """Take over what a plain moto backend holds (see patching.py)."""
        self._init_permission_sets()
        self._init_assignments()
        for assignment in self.account_assignments:
            self._assignments.add(
                AssignmentKey(
                    assignment.instance_arn,
                    assignment.target_id,
                    assignment.target_type,
                    assignment.permission_set_arn,
                    assignment.principal_type,
                    assignment.principal_id,
                )
            )
        self.account_assignments = []
        for instance in self.instances:
            for permission_set in instance.provisioned_permission_sets:
                self._provisioned.provision(
                    instance.instance_arn, permission_set.permission_set_arn, self.account_id, 0
                )

    @property
    def _url_module(self) -> ModuleType:
        """Route requests to the corrected response class (moto derives this from the module)."""
        from . import urls

        return urls

    # -- asynchronous requests -------------------------------------------------

    def _settle(self) -> None:
        self._operations.settle(behaviour().now(), self._outcome)

    def _start(self, operation: Operation) -> dict[str, Any]:
        """Queue ``operation``; answer IN_PROGRESS as AWS does, then settle if already due."""
        self._operations.start(operation)
        answer = operation.to_json()
        self._settle()
        return answer

    def _outcome(self, operation: Operation) -> str | None:
        """Decide how a due request ends and apply its effect."""
        if operation.kind == "PERMISSION_SET_PROVISIONING":
            return self._finish_provisioning(operation)
        assignment = operation.assignment
        assert assignment is not None
        if operation.kind == "ASSIGNMENT_CREATION":
            reason = (
                self._missing_permission_set_reason(operation)
                or self._missing_principal_reason(assignment)
                or behaviour().failure_for(operation.request())
            )
            if reason is None:
                self._assign(assignment)
            return reason
        if assignment not in self._assignments:
            # Deleting what is not there: accepted, then failed, like a creation
            # for a missing principal (AWS validates inside the workflow).
            return (
                "Received a 404 status error: No account assignment exists for principal "
                f"{assignment.principal_id} with permission set {assignment.permission_set_arn} "
                f"in account {assignment.target_id}"
            )
        reason = behaviour().failure_for(operation.request())
        if reason is None:
            self._assignments.remove(assignment)
        return reason

    def _assign(self, assignment: AssignmentKey) -> None:
        """Record a succeeded assignment; AWS provisions its permission set to the
        account as part of CreateAccountAssignment (Note on
        https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateAccountAssignment.html).
        """
        self._assignments.add(assignment)
        if not self._provisioned.is_provisioned(
            assignment.instance_arn, assignment.permission_set_arn, assignment.target_id
        ):
            self._provisioned.provision(
                assignment.instance_arn,
                assignment.permission_set_arn,
                assignment.target_id,
                self._revision(assignment.permission_set_arn),
            )

    def _missing_permission_set_reason(self, operation: Operation) -> str | None:
        """The permission set was deleted while the request waited."""
        arn = operation.permission_set_arn
        if arn in self._sets_by_arn:
            return None
        return f"Received a 404 status error: PermissionSet {arn} no longer exists"

    def _finish_provisioning(self, operation: Operation) -> str | None:
        arn = operation.permission_set_arn
        reason = self._missing_permission_set_reason(operation) or behaviour().failure_for(
            operation.request()
        )
        if reason is not None:
            return reason
        accounts = (
            [operation.target_id]
            if operation.target_id is not None
            else list(self._provisioned.accounts(operation.instance_arn, arn))
        )
        for account_id in accounts:
            self._provisioned.provision(
                operation.instance_arn, arn, account_id, self._revision(arn)
            )
        return None

    def _missing_principal_reason(self, assignment: AssignmentKey) -> str | None:
        """The principal must exist in the instance's identity store.

        AWS checks this inside the asynchronous workflow; we could not find it
        documented whether it instead rejects the request at once, so the request is
        accepted and ends FAILED, which a status poller has to handle anyway.
        """
        if self._principal_exists(
            assignment.instance_arn, assignment.principal_type, assignment.principal_id
        ):
            return None
        store_id = self._instance(assignment.instance_arn).identity_store_id
        return (
            f"Received a 404 status error: {assignment.principal_type} "
            f"{assignment.principal_id} does not exist in identity store {store_id}"
        )

    def _principal_exists(self, instance_arn: str, principal_type: str, principal_id: str) -> bool:
        """Whether the principal is in the identity store of the instance."""
        store = self._directory().identity_stores.get(
            self._instance(instance_arn).identity_store_id
        )
        if store is None:
            return False
        return principal_id in (store.users if principal_type == "USER" else store.groups)

    def _identity_store_of(self, instance_arn: str) -> str:
        return self._instance(instance_arn).identity_store_id

    def _directory(self) -> CorrectedIdentityStoreBackend:
        """The Identity Store of this account and region, where principals live."""
        directory = identitystore_backends[self.account_id][self.region_name]
        assert isinstance(directory, CorrectedIdentityStoreBackend)
        return directory

    def _instance(self, instance_arn: str) -> Instance:
        for instance in self.instances:
            if instance.instance_arn == instance_arn:
                return instance
        raise ResourceNotFoundException(f"Could not find Instance with arn {instance_arn}")

    def delete_permission_set(self, instance_arn: str, permission_set_arn: str) -> dict[str, Any]:
        with self._lock:
            deleted = super().delete_permission_set(instance_arn, permission_set_arn)
            self._provisioned.forget_permission_set(instance_arn, permission_set_arn)
            return deleted

    # -- account assignments ---------------------------------------------------

    def _assignment_key(
        self,
        instance_arn: str,
        target_id: str,
        target_type: str,
        permission_set_arn: str,
        principal_type: str,
        principal_id: str,
    ) -> AssignmentKey:
        if target_type != "AWS_ACCOUNT":
            raise ValidationException(f"Invalid TargetType {target_type}; expected AWS_ACCOUNT")
        if principal_type not in PRINCIPAL_TYPES:
            raise ValidationException(f"Invalid PrincipalType {principal_type}")
        self._find_permission_set(instance_arn, permission_set_arn)
        return AssignmentKey(
            instance_arn, target_id, target_type, permission_set_arn, principal_type, principal_id
        )

    def _assignment_delay_end(self) -> float:
        return behaviour().now() + behaviour().assignment_delay_seconds

    @_settled
    def create_account_assignment(
        self,
        instance_arn: str,
        target_id: str,
        target_type: str,
        permission_set_arn: str,
        principal_type: str,
        principal_id: str,
    ) -> dict[str, Any]:
        """Starts the request and answers IN_PROGRESS; an unknown permission set is a
        ResourceNotFoundException at once, anything else is decided when the request
        settles. Creating an existing assignment succeeds without duplicating it
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateAccountAssignment.html).
        """
        key = self._assignment_key(
            instance_arn, target_id, target_type, permission_set_arn, principal_type, principal_id
        )
        return self._start(
            Operation(
                "ASSIGNMENT_CREATION",
                instance_arn,
                permission_set_arn,
                due=self._assignment_delay_end(),
                assignment=key,
            )
        )

    @_settled
    def delete_account_assignment(
        self,
        instance_arn: str,
        target_id: str,
        target_type: str,
        permission_set_arn: str,
        principal_type: str,
        principal_id: str,
    ) -> dict[str, Any]:
        """Starts the request and answers IN_PROGRESS; the assignment stays listed
        until the deletion succeeds
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DeleteAccountAssignment.html).
        """
        key = self._assignment_key(
            instance_arn, target_id, target_type, permission_set_arn, principal_type, principal_id
        )
        return self._start(
            Operation(
                "ASSIGNMENT_DELETION",
                instance_arn,
                permission_set_arn,
                due=self._assignment_delay_end(),
                assignment=key,
            )
        )

    def _status(self, kind: OperationKind, request_id: str) -> dict[str, Any]:
        operation = self._operations.get(kind, request_id)
        if operation is None:
            raise ResourceNotFoundException(f"Could not find request with id {request_id}")
        return operation.to_json()

    @_settled
    def describe_account_assignment_creation_status(
        self, account_assignment_creation_request_id: str, instance_arn: str
    ) -> dict[str, Any]:
        """https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DescribeAccountAssignmentCreationStatus.html"""
        return self._status("ASSIGNMENT_CREATION", account_assignment_creation_request_id)

    @_settled
    def describe_account_assignment_deletion_status(
        self, account_assignment_deletion_request_id: str, instance_arn: str
    ) -> dict[str, Any]:
        """https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DescribeAccountAssignmentDeletionStatus.html"""
        return self._status("ASSIGNMENT_DELETION", account_assignment_deletion_request_id)

    @_settled
    def list_operation_statuses(
        self,
        kind: OperationKind,
        instance_arn: str,
        status: str | None,
        max_results: int | None,
        next_token: str | None,
    ) -> tuple[list[Operation], str | None]:
        """ListAccountAssignmentCreationStatus, ...DeletionStatus and
        ListPermissionSetProvisioningStatus, with their optional Filter.Status
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListAccountAssignmentCreationStatus.html).
        """
        operations = self._operations.of_kind(kind, instance_arn, status)
        return page(operations, OPERATIONS, max_results, next_token, ValidationException)

    @_settled
    def list_account_assignments(  # type: ignore[override]
        self,
        instance_arn: str,
        account_id: str,
        permission_set_arn: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, str]], str | None]:
        """Only succeeded assignments, from the (account, permission set) index
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListAccountAssignments.html).
        """
        self._find_permission_set(instance_arn, permission_set_arn)
        assignments = [
            key.to_json()
            for key in self._assignments.for_target(instance_arn, account_id, permission_set_arn)
        ]
        return page(assignments, ASSIGNMENTS, max_results, next_token, ValidationException)

    @_settled
    def list_account_assignments_for_principal(  # type: ignore[override]
        self,
        filter_: dict[str, Any],
        instance_arn: str,
        principal_id: str,
        principal_type: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, str]], str | None]:
        """The accounts the principal "has access to"
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListAccountAssignmentsForPrincipal.html).

        For a user that includes access through the groups it belongs to; each
        item names the principal that holds the assignment (the user or one of
        its groups), which is why AccountAssignmentForPrincipal carries
        PrincipalId and PrincipalType at all.
        """
        if principal_type not in PRINCIPAL_TYPES:
            raise ValidationException(f"Invalid PrincipalType {principal_type}")
        holders = [(principal_type, principal_id)]
        if principal_type == "USER" and behaviour().principal_listing_includes_groups:
            store_id = self._instance(instance_arn).identity_store_id
            holders += [
                ("GROUP", group_id)
                for group_id in self._directory().group_ids_of(store_id, principal_id)
            ]
        account_filter = (filter_ or {}).get("AccountId")
        assignments = [
            {
                "AccountId": key.target_id,
                "PermissionSetArn": key.permission_set_arn,
                "PrincipalId": key.principal_id,
                "PrincipalType": key.principal_type,
            }
            for holder_type, holder_id in holders
            for key in self._assignments.for_principal(instance_arn, holder_type, holder_id)
            if account_filter is None or key.target_id == account_filter
        ]
        return page(assignments, ASSIGNMENTS, max_results, next_token, ValidationException)

    # -- provisioning ----------------------------------------------------------

    @_settled
    def provision_permission_set(  # type: ignore[override]
        self,
        instance_arn: str,
        permission_set_arn: str,
        target_id: str | None = None,
        target_type: str = "ALL_PROVISIONED_ACCOUNTS",
    ) -> dict[str, Any]:
        """Provision to one account (TargetType AWS_ACCOUNT with TargetId) or
        re-provision to every account it is already provisioned to
        (ALL_PROVISIONED_ACCOUNTS), asynchronously
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ProvisionPermissionSet.html).
        """
        self._find_permission_set(instance_arn, permission_set_arn)
        if target_type == "AWS_ACCOUNT":
            if not target_id:
                raise ValidationException("TargetId is required when TargetType is AWS_ACCOUNT")
        elif target_type == "ALL_PROVISIONED_ACCOUNTS":
            if target_id:
                raise ValidationException(
                    "TargetId must not be given when TargetType is ALL_PROVISIONED_ACCOUNTS"
                )
            target_id = None
        else:
            raise ValidationException(f"Invalid TargetType {target_type}")
        return self._start(
            Operation(
                "PERMISSION_SET_PROVISIONING",
                instance_arn,
                permission_set_arn,
                due=behaviour().now() + behaviour().provisioning_delay_seconds,
                target_id=target_id,
            )
        )

    @_settled
    def describe_permission_set_provisioning_status(
        self, instance_arn: str, provision_permission_set_request_id: str
    ) -> dict[str, Any]:
        """https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DescribePermissionSetProvisioningStatus.html"""
        return self._status("PERMISSION_SET_PROVISIONING", provision_permission_set_request_id)

    def _matches(self, permission_set_arn: str, revision: int, status: str | None) -> bool:
        """Filter by ProvisioningStatus: is ``revision`` the set's latest?"""
        latest = revision >= self._revision(permission_set_arn)
        return status is None or (status == LATEST) == latest

    @_settled
    def list_accounts_for_provisioned_permission_set(  # type: ignore[override]
        self,
        instance_arn: str,
        permission_set_arn: str,
        provisioning_status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[str], str | None]:
        """The accounts the set is provisioned to, not the caller's account
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListAccountsForProvisionedPermissionSet.html).
        """
        self._find_permission_set(instance_arn, permission_set_arn)
        accounts = [
            account_id
            for account_id, revision in self._provisioned.accounts(
                instance_arn, permission_set_arn
            ).items()
            if self._matches(permission_set_arn, revision, provisioning_status)
        ]
        return page(accounts, ACCOUNT_IDS, max_results, next_token, ValidationException)

    @_settled
    def list_permission_sets_provisioned_to_account(  # type: ignore[override]
        self,
        instance_arn: str,
        account_id: str,
        provisioning_status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[str], str | None]:
        """The sets provisioned to AccountId
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListPermissionSetsProvisionedToAccount.html).
        """
        arns = [
            arn
            for arn in self._provisioned.permission_sets(instance_arn, account_id)
            if self._matches(
                arn,
                self._provisioned.revision(instance_arn, arn, account_id),
                provisioning_status,
            )
        ]
        return page(arns, PERMISSION_SET_ARNS, max_results, next_token, ValidationException)

    # -- seeding (used by the loader, bypassing the request life-cycle) ----------

    def seed_assignment(self, key: AssignmentKey) -> None:
        """An assignment that already exists, as if created long ago."""
        with self._lock:
            self._find_permission_set(key.instance_arn, key.permission_set_arn)
            self._assign(key)

    def seed_provisioned(self, instance_arn: str, permission_set_arn: str, account_id: str) -> None:
        """A permission set provisioned to an account at its current revision."""
        with self._lock:
            self._find_permission_set(instance_arn, permission_set_arn)
            self._provisioned.provision(
                instance_arn, permission_set_arn, account_id, self._revision(permission_set_arn)
            )
