"""Applications and their assignments, as IAM Identity Center keeps them (moto has neither).

An application (a customer managed SAML or OAuth application, or an AWS managed
one) belongs to one instance; users and groups of the instance's identity store
are assigned to it. Unlike account assignments these writes are synchronous:
CreateApplicationAssignment and DeleteApplicationAssignment answer 200 with an
empty body once done
(https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateApplicationAssignment.html).

Validation follows botocore's model of sso-admin: ApplicationArn must match
``arn:aws...:sso::\\d{12}:application/(sso)?ins-.{16}/apl-.{16}`` (malformed:
ValidationException); a well-formed ARN naming no application is a
ResourceNotFoundException. The API reference does not say what AWS answers for
creating an assignment that exists, or deleting one that does not: the
simulator accepts the first without duplicating (as CreateAccountAssignment
does) and refuses the second with ResourceNotFoundException, which a client
checking existence first never meets.

Deleting a user or group deletes its application assignments (issue 12: AWS
deletes a principal's assignments with it; a deleted principal cannot sign in
to anything). The Identity Store is another backend, so the directory forgets
a deleted principal's assignments when it is next asked (`_forget_deleted`):
no answer ever shows one.

ListApplications pages hold at most 50 applications (``ApplicationList``: max 50)
though MaxResults accepts 1-100; the assignment listings page by 100.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random

from ..pagination import PageRule, check_max_results, page
from .exceptions import ResourceNotFoundException, ValidationException
from .validation import PRINCIPAL_ID, check

APPLICATION_ARN = re.compile(
    r"arn:aws(-[a-z]{1,5}){0,3}:sso::\d{12}:application/(sso)?ins-[a-zA-Z0-9-.]{16}/apl-[a-zA-Z0-9]{16}"
)
APPLICATION_PROVIDER_ARN = re.compile(
    r"arn:aws(-[a-z]{1,5}){0,3}:sso::aws:applicationProvider/[a-zA-Z0-9-/]+"
)
PRINCIPAL_TYPES = ("USER", "GROUP")
STATUSES = ("ENABLED", "DISABLED")
# ApplicationList holds at most 50 items, whatever MaxResults (1-100) asks.
APPLICATIONS_PER_PAGE = 50
MAX_RESULTS = 100

APPLICATIONS = PageRule[dict[str, Any]](
    MAX_RESULTS, APPLICATIONS_PER_PAGE, lambda a: a["ApplicationArn"]
)
ASSIGNMENTS = PageRule[dict[str, str]](
    MAX_RESULTS,
    MAX_RESULTS,
    lambda a: "|".join((a["ApplicationArn"], a["PrincipalType"], a["PrincipalId"])),
)

# The identity store of an instance (ResourceNotFoundException for an unknown instance).
IdentityStoreOf = Callable[[str], str]
# Does a principal exist in the identity store of an instance?
# (instance ARN, principal type, principal id) -> bool
PrincipalExists = Callable[[str, str, str], bool]


@dataclass
class Application:
    """One application; its fields are the Application shape of ListApplications."""

    arn: str
    instance_arn: str
    name: str
    provider_arn: str
    account_id: str
    identity_store_arn: str
    region: str
    status: str = "ENABLED"
    description: str | None = None
    portal_options: dict[str, Any] | None = None
    assignment_required: bool = True
    created_date: float = field(default_factory=unix_time)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ApplicationArn": self.arn,
            "ApplicationProviderArn": self.provider_arn,
            "Name": self.name,
            "ApplicationAccount": self.account_id,
            "InstanceArn": self.instance_arn,
            "IdentityStoreArn": self.identity_store_arn,
            "Status": self.status,
            "CreatedDate": self.created_date,
            "CreatedFrom": self.region,
        }
        if self.description is not None:
            body["Description"] = self.description
        if self.portal_options is not None:
            body["PortalOptions"] = self.portal_options
        return body


@dataclass(frozen=True)
class ApplicationAssignment:
    """AWS identifies an application assignment by exactly these three values."""

    application_arn: str
    principal_type: str
    principal_id: str

    def to_json(self) -> dict[str, str]:
        return {
            "ApplicationArn": self.application_arn,
            "PrincipalType": self.principal_type,
            "PrincipalId": self.principal_id,
        }


class ApplicationDirectory:
    """Every application of one account and region, and who is assigned to each."""

    def __init__(
        self,
        account_id: str,
        region: str,
        identity_store_of: IdentityStoreOf,
        principal_exists: PrincipalExists,
    ) -> None:
        self._account_id = account_id
        self._region = region
        self._identity_store_of = identity_store_of
        self._principal_exists = principal_exists
        self._lock = threading.RLock()
        self._applications: dict[str, Application] = {}
        # application ARN -> its assignments, in the order made
        self._assigned: dict[str, dict[ApplicationAssignment, None]] = {}

    # -- applications ----------------------------------------------------------

    def create_application(
        self,
        instance_arn: str,
        name: str,
        provider_arn: str,
        *,
        description: str | None = None,
        status: str | None = None,
        portal_options: dict[str, Any] | None = None,
    ) -> Application:
        """https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateApplication.html"""
        check("applicationProviderArn", provider_arn, APPLICATION_PROVIDER_ARN)
        identity_store_id = self._identity_store_of(instance_arn)
        if not 1 <= len(name) <= 100:
            raise ValidationException("Application name must be 1 to 100 characters")
        if status is not None and status not in STATUSES:
            raise ValidationException(f"Invalid Status {status}")
        instance_suffix = instance_arn.rsplit("/", 1)[-1]
        suffix = mock_random.get_random_string(length=16, lower_case=True)
        application = Application(
            arn=f"arn:aws:sso::{self._account_id}:application/{instance_suffix}/apl-{suffix}",
            instance_arn=instance_arn,
            name=name,
            provider_arn=provider_arn,
            account_id=self._account_id,
            identity_store_arn=(
                f"arn:aws:identitystore::{self._account_id}:identitystore/{identity_store_id}"
            ),
            region=self._region,
            status=status or "ENABLED",
            description=description,
            portal_options=portal_options,
        )
        with self._lock:
            self._applications[application.arn] = application
            self._assigned[application.arn] = {}
        return application

    def _find(self, application_arn: str) -> Application:
        check("applicationArn", application_arn, APPLICATION_ARN)
        found = self._applications.get(application_arn)
        if found is None:
            raise ResourceNotFoundException(f"Application {application_arn} not found")
        return found

    def describe_application(self, application_arn: str) -> dict[str, Any]:
        """https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DescribeApplication.html"""
        with self._lock:
            return self._find(application_arn).to_json()

    def list_applications(
        self,
        instance_arn: str,
        filter_: dict[str, str] | None,
        max_results: int | None,
        next_token: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The instance's applications, optionally of one account or provider
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListApplications.html).
        """
        check_max_results(max_results, MAX_RESULTS, ValidationException)
        wanted_account = (filter_ or {}).get("ApplicationAccount")
        wanted_provider = (filter_ or {}).get("ApplicationProvider")
        with self._lock:
            applications = [
                a.to_json()
                for a in self._applications.values()
                if a.instance_arn == instance_arn
                and wanted_account in (None, a.account_id)
                and wanted_provider in (None, a.provider_arn)
            ]
        size = min(max_results or APPLICATIONS_PER_PAGE, APPLICATIONS_PER_PAGE)
        return page(applications, APPLICATIONS, size, next_token, ValidationException)

    def get_assignment_configuration(self, application_arn: str) -> bool:
        """https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_GetApplicationAssignmentConfiguration.html"""
        with self._lock:
            return self._find(application_arn).assignment_required

    def put_assignment_configuration(self, application_arn: str, required: bool) -> None:
        """https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PutApplicationAssignmentConfiguration.html"""
        with self._lock:
            self._find(application_arn).assignment_required = required

    # -- assignments -----------------------------------------------------------

    def _forget_deleted(self) -> None:
        """Drop the assignments of principals deleted from the identity store (with the lock)."""
        for arn, keys in self._assigned.items():
            instance_arn = self._applications[arn].instance_arn
            gone = [
                key
                for key in keys
                if not self._principal_exists(instance_arn, key.principal_type, key.principal_id)
            ]
            for key in gone:
                del keys[key]

    def _assignment(
        self, application_arn: str, principal_type: str, principal_id: str
    ) -> tuple[Application, ApplicationAssignment]:
        self._forget_deleted()
        application = self._find(application_arn)
        check("principalId", principal_id, PRINCIPAL_ID)
        if principal_type not in PRINCIPAL_TYPES:
            raise ValidationException(f"Invalid PrincipalType {principal_type}")
        return application, ApplicationAssignment(application_arn, principal_type, principal_id)

    def create_assignment(
        self, application_arn: str, principal_type: str, principal_id: str
    ) -> None:
        """The principal must exist in the instance's identity store; done at once."""
        with self._lock:
            application, key = self._assignment(application_arn, principal_type, principal_id)
            if not self._principal_exists(application.instance_arn, principal_type, principal_id):
                raise ResourceNotFoundException(
                    f"{principal_type} {principal_id} does not exist in the identity store"
                )
            self._assigned[application_arn][key] = None

    def delete_assignment(
        self, application_arn: str, principal_type: str, principal_id: str
    ) -> None:
        """https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DeleteApplicationAssignment.html"""
        with self._lock:
            _, key = self._assignment(application_arn, principal_type, principal_id)
            if key not in self._assigned[application_arn]:
                raise ResourceNotFoundException(
                    f"No assignment of {principal_type} {principal_id} to {application_arn}"
                )
            del self._assigned[application_arn][key]

    def list_assignments(
        self, application_arn: str, max_results: int | None, next_token: str | None
    ) -> tuple[list[dict[str, str]], str | None]:
        """https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListApplicationAssignments.html"""
        with self._lock:
            self._find(application_arn)
            self._forget_deleted()
            items = [key.to_json() for key in self._assigned[application_arn]]
        return page(items, ASSIGNMENTS, max_results, next_token, ValidationException)

    def list_assignments_for_principal(
        self,
        instance_arn: str,
        principal_type: str,
        principal_id: str,
        filter_: dict[str, str] | None,
        max_results: int | None,
        next_token: str | None,
    ) -> tuple[list[dict[str, str]], str | None]:
        """The principal's own application assignments in the instance
        (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListApplicationAssignmentsForPrincipal.html).
        """
        check("principalId", principal_id, PRINCIPAL_ID)
        if principal_type not in PRINCIPAL_TYPES:
            raise ValidationException(f"Invalid PrincipalType {principal_type}")
        wanted = (filter_ or {}).get("ApplicationArn")
        with self._lock:
            self._forget_deleted()
            items = [
                key.to_json()
                for arn, keys in self._assigned.items()
                if self._applications[arn].instance_arn == instance_arn and wanted in (None, arn)
                for key in keys
                if (key.principal_type, key.principal_id) == (principal_type, principal_id)
            ]
        return page(items, ASSIGNMENTS, max_results, next_token, ValidationException)
