"""Which IAM Identity Center instance to read (sso-admin ListInstances)."""

from __future__ import annotations

from dataclasses import dataclass

from connector.aws import AwsClients
from connector.config import Settings
from connector.errors import AmbiguousInstanceError, InstanceNotFoundError


@dataclass(frozen=True)
class Instance:
    instance_arn: str
    identity_store_id: str
    owner_account_id: str | None = None
    name: str | None = None


def discover_instance(aws: AwsClients, settings: Settings) -> Instance:
    """The pinned instance, or the only one visible.

    With both the instance ARN and the identity store ID pinned no call is
    made. Otherwise ListInstances tells the identity store of a pinned ARN, or
    which instance exists at all. An account sees at most one organization
    instance, but may also own account instances, so "several" is a real case
    that must be resolved by pinning, never by guessing.
    """
    if settings.instance_arn and settings.identity_store_id:
        return Instance(settings.instance_arn, settings.identity_store_id)
    found = [
        Instance(
            instance_arn=item["InstanceArn"],
            identity_store_id=item["IdentityStoreId"],
            owner_account_id=item.get("OwnerAccountId"),
            name=item.get("Name"),
        )
        for item in aws.items("sso-admin", "ListInstances")
    ]
    if settings.instance_arn:
        for instance in found:
            if instance.instance_arn == settings.instance_arn:
                return instance
        raise InstanceNotFoundError(
            f"the instance {settings.instance_arn} (IDCC_INSTANCE_ARN) is not visible in region "
            f"{aws.region}; visible: {_describe(found) or 'none'}"
        )
    if not found:
        raise InstanceNotFoundError(
            f"no IAM Identity Center instance is visible in region {aws.region}: check "
            "IDCC_REGION (the region where Identity Center is enabled) and that the "
            "credentials belong to the management account or a delegated administrator"
        )
    if len(found) > 1:
        raise AmbiguousInstanceError(
            f"{len(found)} IAM Identity Center instances are visible; set IDCC_INSTANCE_ARN "
            f"to one of them: {_describe(found)}"
        )
    return found[0]


def _describe(instances: list[Instance]) -> str:
    return "; ".join(
        f"{i.instance_arn} (identity store {i.identity_store_id}"
        + (f", name {i.name}" if i.name else "")
        + (f", owner account {i.owner_account_id}" if i.owner_account_id else "")
        + ")"
        for i in instances
    )
