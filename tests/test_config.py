"""Settings come from IDCC_* variables and an optional TOML file; problems come all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.config import load_settings, parse_duration, settings_to_env
from connector.errors import ConfigError

INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"


def test_defaults_need_only_a_region() -> None:
    settings = load_settings({"IDCC_REGION": "eu-west-1"})
    assert settings.region == "eu-west-1"
    assert settings.credentials_mode == "default_chain"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.sync_interval == 900


def test_region_falls_back_to_aws_region() -> None:
    assert load_settings({"AWS_REGION": "us-west-2"}).region == "us-west-2"


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("1h", 3600), ("45", 45), ("2d", 172800), (" 30S ", 30)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_every_problem_is_reported_together_with_exit_code_2() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "IDCC_CREDENTIALS_MODE": "access_key",
                "IDCC_SYNC_INTERVAL": "soon",
                "IDCC_INSTANCE_ARN": "not-an-arn",
            }
        )
    message = str(caught.value)
    assert "IDCC_REGION: missing" in message
    assert "IDCC_SYNC_INTERVAL" in message
    assert "IDCC_INSTANCE_ARN" in message
    assert "IDCC_AWS_ACCESS_KEY_ID" in message
    assert caught.value.exit_code == 2


def test_assume_role_needs_a_role_arn() -> None:
    with pytest.raises(ConfigError, match="IDCC_ROLE_ARN"):
        load_settings({"IDCC_REGION": "us-east-1", "IDCC_CREDENTIALS_MODE": "assume_role"})


def test_identity_store_cannot_be_pinned_without_instance() -> None:
    with pytest.raises(ConfigError, match="pin both or neither"):
        load_settings({"IDCC_REGION": "us-east-1", "IDCC_IDENTITY_STORE_ID": "d-1234567890"})


def test_file_settings_are_overridden_by_environment(tmp_path: Path) -> None:
    config = tmp_path / "connector.toml"
    config.write_text(
        f'region = "eu-central-1"\ninstance_arn = "{INSTANCE}"\nsync_interval = "1h"\n'
    )
    settings = load_settings({"IDCC_CONFIG_FILE": str(config), "IDCC_SYNC_INTERVAL": "30m"})
    assert (settings.region, settings.instance_arn, settings.sync_interval) == (
        "eu-central-1",
        INSTANCE,
        1800,
    )


def test_unknown_file_keys_and_missing_files_are_errors(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('region = "eu-central-1"\nregoin = "typo"\n')
    with pytest.raises(ConfigError, match="unknown settings regoin"):
        load_settings({"IDCC_CONFIG_FILE": str(config)})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"IDCC_CONFIG_FILE": str(tmp_path / "missing.toml")})


def test_secrets_never_appear_in_repr_or_redacted_view() -> None:
    settings = load_settings(
        {
            "IDCC_REGION": "us-east-1",
            "IDCC_CREDENTIALS_MODE": "access_key",
            "IDCC_AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
            "IDCC_AWS_SECRET_ACCESS_KEY": "very-secret-key",
            "IDCC_DATABASE_URL": "postgresql://app:hunter2@db:5432/idcc",
        }
    )
    assert "very-secret-key" not in repr(settings)
    assert "hunter2" not in repr(settings)
    shown = settings.redacted()
    assert shown["aws_secret_access_key"] == "********"
    assert shown["database_url"] == "postgresql://app:********@db:5432/idcc"
    assert "very-secret-key" not in str(shown)


def test_settings_round_trip_through_the_environment() -> None:
    settings = load_settings(
        {"IDCC_REGION": "us-east-1", "IDCC_INSTANCE_ARN": INSTANCE, "IDCC_SSO_ADMIN_RPS": "12.5"}
    )
    assert load_settings(settings_to_env(settings)) == settings


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://idcc.example.com", "https://idcc.example.com"),
        ("https://idcc.example.com/", "https://idcc.example.com"),
        ("http://10.0.0.5:8080/connector/", "http://10.0.0.5:8080/connector"),
    ],
)
def test_the_public_url_is_an_absolute_http_url(text: str, url: str) -> None:
    settings = load_settings({"IDCC_REGION": "us-east-1", "IDCC_PUBLIC_URL": text})
    assert settings.public_url == url


def test_no_proxy_is_trusted_unless_the_operator_says_how_many() -> None:
    assert load_settings({"IDCC_REGION": "us-east-1"}).trusted_proxies == 0
    settings = load_settings({"IDCC_REGION": "us-east-1", "IDCC_TRUSTED_PROXIES": "2"})
    assert settings.trusted_proxies == 2
    for text in ("-1", "one"):
        with pytest.raises(ConfigError, match="IDCC_TRUSTED_PROXIES"):
            load_settings({"IDCC_REGION": "us-east-1", "IDCC_TRUSTED_PROXIES": text})


@pytest.mark.parametrize(
    "text",
    [
        "idcc.example.com",
        "/scim",
        "ftp://idcc.example.com",
        "https://idcc.example.com/?a=1",
        "https://idcc.example.com/#top",
        "https://user:pw@idcc.example.com",
        "https://idcc.example.com:99999",
    ],
)
def test_a_public_url_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="IDCC_PUBLIC_URL") as caught:
        load_settings({"IDCC_REGION": "us-east-1", "IDCC_PUBLIC_URL": text})
    assert "pw" not in str(caught.value)
