"""Which intent grants or revokes an entitlement, by the kind the id names.

An entitlement is access to an account through a permission set (an account
assignment, `assignments`) or access to an application (an application
assignment, `applications`); a SCIM write names either kind by its id in the
same `entitlements` attribute. This is the one place that tells them apart.
"""

from __future__ import annotations

from connector.intents import Intent, PrincipalType
from connector.store.reads import AccountEntitlement, ApplicationEntitlement, EntitlementTarget
from connector.writers.applications import GrantApplication, RevokeApplication
from connector.writers.assignments import Grant, Revoke


def grant_of(target: EntitlementTarget, principal_type: PrincipalType, principal_id: str) -> Intent:
    match target:
        case AccountEntitlement(account_id=account, permission_set_arn=arn):
            return Grant(account, arn, principal_type, principal_id)
        case ApplicationEntitlement(application_arn=arn):
            return GrantApplication(arn, principal_type, principal_id)


def revoke_of(
    target: EntitlementTarget, principal_type: PrincipalType, principal_id: str
) -> Intent:
    match target:
        case AccountEntitlement(account_id=account, permission_set_arn=arn):
            return Revoke(account, arn, principal_type, principal_id)
        case ApplicationEntitlement(application_arn=arn):
            return RevokeApplication(arn, principal_type, principal_id)
