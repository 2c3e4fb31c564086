"""The least-privilege IAM policy, generated from the declared operations.

Because the seam refuses undeclared operations and this policy is built from
the same declarations, it grants exactly what the code can call: a test
checks both directions.
"""

from __future__ import annotations

from typing import Any

from connector.aws_operations import OPERATIONS, ROLE_MANAGEMENT_ACTIONS, Operation

_SERVICE_SIDS = {
    "sso-admin": "IdentityCenter",
    "identitystore": "IdentityStore",
    "organizations": "Organizations",
    # The change feed's: needed only by the source IDCC_CHANGE_SOURCE names
    # (docs/change-feed.md); drop the statement of a source not used (keep
    # ChangeFeedCloudTrail with `sqs`: the last-use back-fill reads sign-ins).
    "cloudtrail": "ChangeFeedCloudTrail",
    "sqs": "ChangeFeedQueue",
}
# "write" operations are the ones only provisioning needs (some of them read).
_ACCESS_SIDS = {"read": "Read", "write": "Provisioning"}


def policy_actions(*, read_only: bool) -> set[str]:
    """Every IAM action the policy grants."""
    return {
        action
        for statement in build_policy(read_only=read_only)["Statement"]
        for action in statement["Action"]
    }


def build_policy(*, read_only: bool) -> dict[str, Any]:
    chosen = [
        op
        for op in OPERATIONS.values()
        if op.needs_permission and (op.access == "read" or not read_only)
    ]
    statements: list[dict[str, Any]] = []
    for service, sid in _SERVICE_SIDS.items():
        for access in ("read", "write"):
            actions = sorted(op.iam_action for op in chosen if _is(op, service, access))
            if actions:
                statements.append(
                    {
                        "Sid": f"{sid}{_ACCESS_SIDS[access]}",
                        "Effect": "Allow",
                        "Action": actions,
                        "Resource": "*",
                    }
                )
    if any(op.needs_role_management for op in chosen):
        statements.append(
            {
                "Sid": "IdentityCenterManagedRoles",
                "Effect": "Allow",
                "Action": sorted(ROLE_MANAGEMENT_ACTIONS),
                # Only the roles and SAML provider that Identity Center manages.
                "Resource": [
                    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*",
                    "arn:aws:iam::*:saml-provider/AWSSSO_*",
                ],
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def _is(op: Operation, service: str, access: str) -> bool:
    return op.service == service and op.access == access
