"""Who made a call: the ``userIdentity`` of its CloudTrail event, from its access key.

AWS names the caller of every request in the event's ``userIdentity``
(CloudTrail User Guide, "CloudTrail userIdentity element",
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
moto tells callers apart only by the access key that signed the request, so the
simulator attributes each request by that key: a key registered with
``register_principal`` is that principal, any other key is an IAM
role session (``AssumedRole``), as a connector deployed with a role is.

A change made "out of band" is a request signed with another key: a test or the
benchmark registers, for example, ``console_administrator("AKIA...")``, an
administrator signed in to the console through an Identity Center permission
set (role ``AWSReservedSSO_<permission set>_<suffix>``, session named by the
user, ``sessionCredentialFromConsole: "true"``, as in the console-made
CreateAccountAssignment events AWS's users have published).

Two shapes, ``behaviour().cloudtrail_shape``: AWS changed the userIdentity of
*user-initiated* Identity Center events on 14 July 2025 (AWS Security Blog,
"Important changes to CloudTrail events for AWS IAM Identity Center"). Before,
``type: "Unknown"`` with ``userName`` and ``principalId``; since,
``type: "IdentityCenterUser"`` naming the user only by ``onBehalfOf.userId`` and
``identityStoreArn``. ``onBehalfOf`` and ``credentialId`` (added in October 2024)
appear in both. Role sessions are the same in both shapes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from ..behaviour import CloudTrailShape, behaviour

# RFC 5737 documentation addresses: the simulator has no real caller address.
DEFAULT_SOURCE_IP = "198.51.100.7"
CONSOLE_SOURCE_IP = "203.0.113.25"
# The userAgent AWS records for calls the console makes on a user's behalf.
CONSOLE_USER_AGENT = "AWS Internal"

# moto reads the signing key from the Authorization header only in AWS's form (20
# capitals and digits); any other key reaches the simulator as "AKIAEXAMPLE".
ACCESS_KEY_ID = re.compile(r"[A-Z0-9]{20}")


def register_principal(principal: Principal) -> None:
    """Attribute the requests signed with ``principal.access_key_id`` to ``principal``."""
    if not ACCESS_KEY_ID.fullmatch(principal.access_key_id):
        raise ValueError(
            f"access key id {principal.access_key_id!r} must be 20 capitals and digits, "
            "as AWS's are: moto would not tell its requests apart"
        )
    behaviour().add_principal(principal)


@dataclass(frozen=True)
class RoleSession:
    """A caller using an IAM role's temporary credentials (``type: "AssumedRole"``).

    ``account_id`` None: the account the request was made in. ``user_agent``
    None: the request's own User-Agent header, as AWS records it.
    """

    access_key_id: str
    role_name: str
    session_name: str
    account_id: str | None = None
    from_console: bool = False
    source_ip_address: str = DEFAULT_SOURCE_IP
    user_agent: str | None = None


@dataclass(frozen=True)
class IdentityCenterUser:
    """A caller acting as an Identity Center user (user-initiated events).

    Such events carry no access key in AWS; the simulator still needs one to tell
    the caller's requests apart, and leaves it out of the event.
    """

    access_key_id: str
    user_id: str
    user_name: str
    identity_store_arn: str
    credential_id: str = "simulated-portal-session"
    account_id: str | None = None
    source_ip_address: str = DEFAULT_SOURCE_IP
    user_agent: str | None = None


Principal = RoleSession | IdentityCenterUser

DEFAULT_ROLE_NAME = "IdentityCenterConnector"
DEFAULT_SESSION_NAME = "idc-connector"


def console_administrator(
    access_key_id: str,
    user_name: str = "alice@example.com",
    permission_set: str = "AdministratorAccess",
) -> RoleSession:
    """An administrator in the AWS console, signed in through an Identity Center permission set.

    Identity Center names the role it provisions ``AWSReservedSSO_<permission
    set name>_<16 hex digits>`` (IAM Identity Center User Guide, "Referencing
    permission sets in resource policies ..."); the digits here are derived from
    the name so that a run repeats.
    """
    suffix = hashlib.sha256(permission_set.encode()).hexdigest()[:16]
    return RoleSession(
        access_key_id=access_key_id,
        role_name=f"AWSReservedSSO_{permission_set}_{suffix}",
        session_name=user_name,
        from_console=True,
        source_ip_address=CONSOLE_SOURCE_IP,
        user_agent=CONSOLE_USER_AGENT,
    )


def caller(access_key_id: str) -> Principal:
    """The registered principal of this key, or the default role session."""
    registered = behaviour().principal(access_key_id)
    if registered is not None:
        return registered
    return RoleSession(access_key_id, DEFAULT_ROLE_NAME, DEFAULT_SESSION_NAME)


def _unique_id(prefix: str, name: str) -> str:
    """A stable IAM unique id (``AROA...`` for roles), derived from the name."""
    digest = hashlib.sha256(name.encode()).hexdigest().upper()
    return prefix + "".join(c for c in digest if c.isalnum())[:17]


def user_identity(
    principal: Principal, account_id: str, event_time: str, shape: CloudTrailShape
) -> dict[str, Any]:
    """The event's ``userIdentity`` element for a call made in ``account_id``."""
    account = principal.account_id or account_id
    if isinstance(principal, RoleSession):
        role_arn = f"arn:aws:iam::{account}:role/{principal.role_name}"
        role_id = _unique_id("AROA", role_arn)
        return {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{principal.session_name}",
            "arn": principal_arn(principal, account),
            "accountId": account,
            "accessKeyId": principal.access_key_id,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": role_arn,
                    "accountId": account,
                    "userName": principal.role_name,
                },
                "attributes": {"creationDate": event_time, "mfaAuthenticated": "false"},
            },
        }
    on_behalf_of = {
        "userId": principal.user_id,
        "identityStoreArn": principal.identity_store_arn,
    }
    if shape == "before-2025-07-14":
        return {
            "type": "Unknown",
            "principalId": principal.user_id,
            "accountId": account,
            "userName": principal.user_name,
            "onBehalfOf": on_behalf_of,
            "credentialId": principal.credential_id,
        }
    return {
        "type": "IdentityCenterUser",
        "accountId": account,
        "onBehalfOf": on_behalf_of,
        "credentialId": principal.credential_id,
    }


def principal_arn(principal: Principal, account_id: str) -> str:
    """Who the Identity Store records as a change's CreatedBy / UpdatedBy.

    AWS documents only "the identifier of the user or system"; the simulator
    gives a role session's ARN (as its CloudTrail event's ``userIdentity.arn``)
    and an Identity Center user's id.
    """
    if isinstance(principal, RoleSession):
        account = principal.account_id or account_id
        return f"arn:aws:sts::{account}:assumed-role/{principal.role_name}/{principal.session_name}"
    return principal.user_id


def lookup_username(principal: Principal, shape: CloudTrailShape) -> str:
    """LookupEvents' ``Username``: "A user name or role name of the requester".

    For a role session that is the session name (Event history shows
    ``alice@example.com`` for a console administrator). Since July 2025 an
    Identity Center user's event no longer names the user, only its id; the
    simulator gives the id (AWS does not document this field for those events).
    """
    if isinstance(principal, RoleSession):
        return principal.session_name
    return principal.user_name if shape == "before-2025-07-14" else principal.user_id


def lookup_access_key(principal: Principal) -> str | None:
    """LookupEvents' ``AccessKeyId``: none for an Identity Center user, as in its event."""
    return principal.access_key_id if isinstance(principal, RoleSession) else None
