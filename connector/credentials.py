"""A boto3 session for each credentials mode.

- `default_chain`: boto3's own chain (environment, shared config and SSO
  profiles, ECS task role, EC2 instance role, IRSA web identity).
- `access_key`: a key pair from the connector's settings, optionally with a
  session token.
- `assume_role`: the default chain's credentials assume a role (with an external
  ID when the role's trust policy demands one, as cross-account roles for
  third-party tools should). botocore's own fetcher and refreshable credentials
  renew them before they expire, so a long-running service never uses expired
  credentials.
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore.credentials
import botocore.exceptions
import botocore.session

from connector.config import Settings
from connector.errors import CredentialsError


def build_session(settings: Settings) -> boto3.Session:
    if settings.credentials_mode == "access_key":
        return boto3.Session(
            aws_access_key_id=settings.aws_access_key_id,
            aws_secret_access_key=settings.aws_secret_access_key,
            aws_session_token=settings.aws_session_token,
            region_name=settings.region,
        )
    if settings.credentials_mode == "assume_role":
        return _assume_role_session(settings)
    return boto3.Session(region_name=settings.region)


def _assume_role_session(settings: Settings) -> boto3.Session:
    source = botocore.session.get_session()
    source.set_config_variable("region", settings.region)

    def create_sts_client(service_name: str, **kwargs: Any) -> Any:
        return source.create_client(
            service_name,
            region_name=settings.region,
            endpoint_url=settings.aws_endpoint_url,
            **kwargs,
        )

    extra_args: dict[str, Any] = {
        "RoleSessionName": settings.role_session_name,
        "DurationSeconds": settings.role_duration,
    }
    if settings.external_id:
        extra_args["ExternalId"] = settings.external_id
    source_credentials = source.get_credentials()
    if source_credentials is None:
        raise CredentialsError(
            "assume_role found no source credentials to call sts:AssumeRole with: "
            "provide them to boto3's default chain (environment, shared config, "
            "instance or task role)"
        )
    fetcher = botocore.credentials.AssumeRoleCredentialFetcher(
        client_creator=create_sts_client,
        source_credentials=source_credentials,
        role_arn=settings.role_arn,
        extra_args=extra_args,
    )

    def fetch_credentials() -> dict[str, Any]:
        try:
            return fetcher.fetch_credentials()  # type: ignore[no-any-return]
        except botocore.exceptions.ClientError as exc:
            error = exc.response.get("Error", {})
            raise CredentialsError(
                f"could not assume {settings.role_arn}: {error.get('Code')}: "
                f"{error.get('Message')} (check the role's trust policy, the external ID, "
                "and that the source credentials may call sts:AssumeRole)"
            ) from None

    credentials = botocore.credentials.DeferredRefreshableCredentials(
        refresh_using=fetch_credentials, method="assume-role"
    )
    assumed = botocore.session.get_session()
    assumed.set_config_variable("region", settings.region)
    # botocore offers no public setter for ready-made credentials; this is the
    # attribute its own credential resolver fills.
    assumed._credentials = credentials
    return boto3.Session(botocore_session=assumed)
