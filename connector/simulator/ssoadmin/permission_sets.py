"""Permission sets as IAM Identity Center keeps them.

moto 5.2.5 lets two permission sets share a name, cannot attach AWS managed
policies whose path is not "/" (it reads the path under the wrong key), lacks
permissions boundaries and tagging, accepts any MaxResults, and finds a
permission set by scanning all of them. This layer fixes those and keeps, per
permission set, a revision that grows with every change: the provisioning layer
(``models.py``) compares it with the revision provisioned to each account, as AWS
reports LATEST_PERMISSION_SET_PROVISIONED or _NOT_PROVISIONED.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.ssoadmin.models import (
    CustomerManagedPolicy,
    ManagedPolicy,
    PermissionSet,
    SSOAdminBackend,
)

from ..pagination import PageRule, page
from .exceptions import ConflictException, ResourceNotFoundException, ValidationException

# MaxResults is 1-100 for every sso-admin List operation (MaxResults shape of
# https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListPermissionSets.html).
MAX_RESULTS = 100
PERMISSION_SETS = PageRule[PermissionSet](
    MAX_RESULTS, MAX_RESULTS, lambda ps: ps.permission_set_arn
)
MANAGED_POLICIES = PageRule[ManagedPolicy](MAX_RESULTS, MAX_RESULTS, lambda policy: policy.arn)
CUSTOMER_POLICIES = PageRule[CustomerManagedPolicy](
    MAX_RESULTS, MAX_RESULTS, lambda policy: f"{policy.path}{policy.name}"
)
TAGS = PageRule[dict[str, str]](MAX_RESULTS, MAX_RESULTS, lambda tag: tag["Key"])


class PermissionSetBackend(SSOAdminBackend):
    """SSOAdminBackend with AWS's rules for permission sets (see module docstring).

    Every change happens under ``_lock``, shared with the subclass: the
    ThreadedMotoServer serves requests from several threads.
    """

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self._init_permission_sets()

    def _init_permission_sets(self) -> None:
        """Fresh bookkeeping, indexing whatever moto already holds."""
        self._lock = threading.RLock()
        self._sets_by_arn: dict[str, PermissionSet] = {}
        self._revisions: dict[str, int] = {}
        # Taggable resources: permission sets and instances (TagResource's ResourceArn).
        self._tags: dict[str, dict[str, str]] = {i.instance_arn: {} for i in self.instances}
        self._boundaries: dict[str, dict[str, Any]] = {}
        for permission_set in self.permission_sets:
            self._index_permission_set(permission_set)

    def _index_permission_set(self, permission_set: PermissionSet) -> None:
        arn = permission_set.permission_set_arn
        self._sets_by_arn[arn] = permission_set
        self._revisions.setdefault(arn, 0)
        self._tags[arn] = {tag["Key"]: tag["Value"] for tag in permission_set.tags or []}

    def _revision(self, permission_set_arn: str) -> int:
        return self._revisions.get(permission_set_arn, 0)

    def _touch(self, permission_set_arn: str) -> None:
        """A change AWS only pushes to accounts on the next ProvisionPermissionSet."""
        self._revisions[permission_set_arn] = self._revision(permission_set_arn) + 1

    def _find_permission_set(self, instance_arn: str, permission_set_arn: str) -> PermissionSet:
        """O(1) lookup replacing moto's scan of every permission set."""
        permission_set = self._sets_by_arn.get(permission_set_arn)
        if permission_set is None or permission_set.instance_arn != instance_arn:
            ps_id = permission_set_arn.split("/")[-1]
            raise ResourceNotFoundException(message=f"Could not find PermissionSet with id {ps_id}")
        return permission_set

    def _find_managed_policy(self, managed_policy_arn: str) -> ManagedPolicy:
        """moto reads the policy's path under "path" but its data says "Path", so
        every AWS managed policy outside "/" (job-function/ViewOnlyAccess,
        service-role/...) is "not found". AWS accepts any existing managed policy
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AttachManagedPolicyToPermissionSet.html).
        """
        if self.aws_managed_policies is None:
            self.aws_managed_policies = json.loads(aws_managed_policies_data)
        name = managed_policy_arn.split("/")[-1]
        policy = self.aws_managed_policies.get(name)
        if policy is not None:
            path = policy.get("Path", policy.get("path", "/"))
            if managed_policy_arn == f"arn:{self.partition}:iam::aws:policy{path}{name}":
                return ManagedPolicy(managed_policy_arn, name)
        raise ResourceNotFoundException(f"Policy does not exist with ARN: {managed_policy_arn}")

    def create_permission_set(
        self,
        name: str,
        description: str | None,
        instance_arn: str,
        session_duration: str,
        relay_state: str | None,
        tags: list[dict[str, str]] | None,
    ) -> dict[str, Any]:
        """Names are unique within an instance: AWS answers ConflictException
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html).
        """
        with self._lock:
            for existing in self._sets_by_arn.values():
                if existing.instance_arn == instance_arn and existing.name == name:
                    raise ConflictException(f"PermissionSet with name {name} already exists.")
            # moto annotates these as str but stores None for absent parameters.
            optional: dict[str, Any] = {
                "description": description,
                "relay_state": relay_state,
                "tags": tags,
            }
            created = super().create_permission_set(
                name=name,
                instance_arn=instance_arn,
                session_duration=session_duration,
                **optional,
            )
            self._index_permission_set(self._newest_permission_set(created["PermissionSetArn"]))
            return created

    def _newest_permission_set(self, permission_set_arn: str) -> PermissionSet:
        # moto appends the new set last; this avoids a scan of the whole list.
        permission_set = self.permission_sets[-1]
        assert permission_set.permission_set_arn == permission_set_arn
        return permission_set

    def delete_permission_set(self, instance_arn: str, permission_set_arn: str) -> dict[str, Any]:
        with self._lock:
            deleted = super().delete_permission_set(instance_arn, permission_set_arn)
            self._sets_by_arn.pop(permission_set_arn, None)
            self._tags.pop(permission_set_arn, None)
            self._boundaries.pop(permission_set_arn, None)
            return deleted

    def update_permission_set(
        self,
        instance_arn: str,
        permission_set_arn: str,
        description: str | None,
        session_duration: str | None,
        relay_state: str | None,
    ) -> dict[str, Any]:
        """UpdatePermissionSet changes only what the request names; moto resets a session
        duration left out to 3600 (a number, where AWS answers "PT1H") and a relay state
        left out to none (API_UpdatePermissionSet: each member is optional)."""
        with self._lock:
            current = self._find_permission_set(instance_arn, permission_set_arn)
            updated = super().update_permission_set(
                instance_arn,
                permission_set_arn,
                current.description if description is None else description,
                current.session_duration if session_duration is None else session_duration,
                current.relay_state if relay_state is None else relay_state,
            )
            self._touch(permission_set_arn)
            return updated

    def put_inline_policy_to_permission_set(
        self, instance_arn: str, permission_set_arn: str, inline_policy: str
    ) -> None:
        with self._lock:
            super().put_inline_policy_to_permission_set(
                instance_arn, permission_set_arn, inline_policy
            )
            self._touch(permission_set_arn)

    def delete_inline_policy_from_permission_set(
        self, instance_arn: str, permission_set_arn: str
    ) -> None:
        with self._lock:
            super().delete_inline_policy_from_permission_set(instance_arn, permission_set_arn)
            self._touch(permission_set_arn)

    def attach_managed_policy_to_permission_set(
        self, instance_arn: str, permission_set_arn: str, managed_policy_arn: str
    ) -> None:
        with self._lock:
            super().attach_managed_policy_to_permission_set(
                instance_arn, permission_set_arn, managed_policy_arn
            )
            self._touch(permission_set_arn)

    def detach_managed_policy_from_permission_set(
        self, instance_arn: str, permission_set_arn: str, managed_policy_arn: str
    ) -> None:
        with self._lock:
            super().detach_managed_policy_from_permission_set(
                instance_arn, permission_set_arn, managed_policy_arn
            )
            self._touch(permission_set_arn)

    def attach_customer_managed_policy_reference_to_permission_set(
        self,
        instance_arn: str,
        permission_set_arn: str,
        customer_managed_policy_reference: dict[str, str],
    ) -> None:
        with self._lock:
            super().attach_customer_managed_policy_reference_to_permission_set(
                instance_arn, permission_set_arn, customer_managed_policy_reference
            )
            self._touch(permission_set_arn)

    def detach_customer_managed_policy_reference_from_permission_set(
        self,
        instance_arn: str,
        permission_set_arn: str,
        customer_managed_policy_reference: dict[str, str],
    ) -> None:
        with self._lock:
            super().detach_customer_managed_policy_reference_from_permission_set(
                instance_arn, permission_set_arn, customer_managed_policy_reference
            )
            self._touch(permission_set_arn)

    def list_permission_sets(  # type: ignore[override]
        self, instance_arn: str, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[PermissionSet], str | None]:
        with self._lock:
            sets = [ps for ps in self.permission_sets if ps.instance_arn == instance_arn]
        return page(sets, PERMISSION_SETS, max_results, next_token, ValidationException)

    def list_managed_policies_in_permission_set(  # type: ignore[override]
        self,
        instance_arn: str,
        permission_set_arn: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[ManagedPolicy], str | None]:
        with self._lock:
            policies = list(
                self._find_permission_set(instance_arn, permission_set_arn).managed_policies
            )
        return page(policies, MANAGED_POLICIES, max_results, next_token, ValidationException)

    def list_customer_managed_policy_references_in_permission_set(  # type: ignore[override]
        self,
        instance_arn: str,
        permission_set_arn: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[CustomerManagedPolicy], str | None]:
        with self._lock:
            references = list(
                self._find_permission_set(
                    instance_arn, permission_set_arn
                ).customer_managed_policies
            )
        return page(references, CUSTOMER_POLICIES, max_results, next_token, ValidationException)

    # -- permissions boundary (missing from moto) -------------------------------

    def put_permissions_boundary_to_permission_set(
        self, instance_arn: str, permission_set_arn: str, permissions_boundary: dict[str, Any]
    ) -> None:
        """Exactly one of ManagedPolicyArn / CustomerManagedPolicyReference
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PermissionsBoundary.html).
        """
        with self._lock:
            self._find_permission_set(instance_arn, permission_set_arn)
            managed_arn = permissions_boundary.get("ManagedPolicyArn")
            reference = permissions_boundary.get("CustomerManagedPolicyReference")
            if (managed_arn is None) == (reference is None):
                raise ValidationException(
                    "PermissionsBoundary must have either ManagedPolicyArn or "
                    "CustomerManagedPolicyReference, not both"
                )
            if managed_arn is not None:
                self._find_managed_policy(managed_arn)
                boundary: dict[str, Any] = {"ManagedPolicyArn": managed_arn}
            else:
                assert reference is not None
                boundary = {
                    "CustomerManagedPolicyReference": {
                        "Name": reference["Name"],
                        "Path": reference.get("Path", "/"),
                    }
                }
            self._boundaries[permission_set_arn] = boundary
            self._touch(permission_set_arn)

    def get_permissions_boundary_for_permission_set(
        self, instance_arn: str, permission_set_arn: str
    ) -> dict[str, Any]:
        """ResourceNotFoundException when the set has none
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_GetPermissionsBoundaryForPermissionSet.html).
        """
        with self._lock:
            self._find_permission_set(instance_arn, permission_set_arn)
            boundary = self._boundaries.get(permission_set_arn)
            if boundary is None:
                raise ResourceNotFoundException(
                    "Could not find PermissionsBoundary for PermissionSet "
                    f"{permission_set_arn.split('/')[-1]}"
                )
            return dict(boundary)

    def delete_permissions_boundary_from_permission_set(
        self, instance_arn: str, permission_set_arn: str
    ) -> None:
        with self._lock:
            self.get_permissions_boundary_for_permission_set(instance_arn, permission_set_arn)
            del self._boundaries[permission_set_arn]
            self._touch(permission_set_arn)

    # -- tags (missing from moto) ----------------------------------------------

    def _tags_of(self, resource_arn: str) -> dict[str, str]:
        tags = self._tags.get(resource_arn)
        if tags is None:
            raise ResourceNotFoundException(f"Could not find resource with arn {resource_arn}")
        return tags

    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]]) -> None:
        """https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_TagResource.html"""
        with self._lock:
            current = self._tags_of(resource_arn)
            current.update({tag["Key"]: tag["Value"] for tag in tags})

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> None:
        with self._lock:
            current = self._tags_of(resource_arn)
            for key in tag_keys:
                current.pop(key, None)

    def list_tags_for_resource(
        self, resource_arn: str, next_token: str | None = None
    ) -> tuple[list[dict[str, str]], str | None]:
        with self._lock:
            tags = [
                {"Key": key, "Value": value} for key, value in self._tags_of(resource_arn).items()
            ]
        return page(tags, TAGS, None, next_token, ValidationException)
