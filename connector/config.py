"""Settings from `IDCC_*` environment variables and an optional TOML file.

Every setting is declared once, in `Settings`, with the environment variable
that sets it (the field name upper-cased behind `IDCC_`) and the key that sets
it in the file named by `IDCC_CONFIG_FILE` (the field name). The environment
wins over the file, so a container can override one value of a shared file.
All problems are collected and reported together as one `ConfigError`, so an
administrator fixes the configuration in one round instead of one per run.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connector.errors import ConfigError

ENV_PREFIX = "IDCC_"
CREDENTIALS_MODES = ("default_chain", "access_key", "assume_role")
ASSIGNMENT_WALKS = ("auto", "permission_sets", "accounts", "principals")
ORGANIZATIONS_MODES = ("auto", "on", "off")
UNSUPPORTED_MODES = ("refuse", "ignore")
# What a SCIM DELETE of a user does: delete it in AWS (which deletes its
# assignments and memberships with it), or disable it, for organisations that
# never delete identities.
USER_DELETE_MODES = ("delete", "disable")
CHANGE_SOURCES = ("none", "cloudtrail", "sqs")
DEFAULT_DATABASE_URL = "sqlite:///var/connector.sqlite3"
# A snapshot is stale after this many sync intervals: the next sync failing is
# no alarm yet, the one after it failing too is.
READY_SYNC_INTERVALS = 3

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)?\s*$", re.IGNORECASE)
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INSTANCE_ARN = re.compile(r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$")
# AWS documents d-[0-9a-f]{10}; the simulator draws from [0-9a-z], so accept both.
_IDENTITY_STORE_ID = re.compile(r"^d-[0-9a-z]{10}$|^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


def parse_duration(text: str) -> int:
    """Seconds in `15m`, `1h`, `30s`, `2d` or a bare number of seconds."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration such as 30s, 15m, 1h or 2d")
    return int(match.group(1)) * _DURATION_UNITS[(match.group(2) or "s").lower()]


def _positive_duration(text: str) -> int:
    value = parse_duration(text)
    if value <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(f"{text!r} must be greater than zero")
    return value


def _seconds(text: str) -> float:
    """A number of seconds, zero or more (`float` alone takes -5, nan and inf)."""
    value = float(text)
    if not 0 <= value < float("inf"):
        raise ValueError(f"{text!r} must be a number of seconds, zero or more")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise ValueError(f"{text!r} must be between 0 and 1, both excluded")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError(f"{text!r} must be a whole number greater than zero")
    return value


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"{text!r} is not true or false")
    return value in ("true", "1", "yes")


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in options:
            raise ValueError(f"{text!r} is not one of {', '.join(options)}")
        return value

    return parse


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip()
        if not regex.match(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return parse


def _public_url(text: str) -> str:
    """An absolute http(s) URL, with a path or not, without query, fragment or credentials."""
    value = text.strip()
    parts = urlsplit(value)
    if "@" in parts.netloc:  # checked first: the message must not repeat a password
        raise ValueError("must not carry a user name or password")
    problem = f"{value!r} is not an absolute http:// or https:// URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(problem)
    if "?" in value or "#" in value:
        raise ValueError(f"{problem} without a query or fragment")
    try:
        parts.port  # noqa: B018 (the property checks the port's range)
    except ValueError:
        raise ValueError(f"{problem}: its port is not a number from 0 to 65535") from None
    return value.rstrip("/")


def _setting(parse: Callable[[str], Any] = str, *, secret: bool = False, **kwargs: Any) -> Any:
    return field(metadata={"parse": parse, "secret": secret}, repr=not secret, **kwargs)


@dataclass(frozen=True)
class Settings:
    """What the connector needs to know; see docs/setup.md for each setting."""

    region: str | None = _setting(default=None)
    credentials_mode: str = _setting(_choice(CREDENTIALS_MODES), default="default_chain")
    aws_access_key_id: str | None = _setting(default=None)
    aws_secret_access_key: str | None = _setting(secret=True, default=None)
    aws_session_token: str | None = _setting(secret=True, default=None)
    role_arn: str | None = _setting(_pattern(_ROLE_ARN, "an IAM role ARN"), default=None)
    external_id: str | None = _setting(secret=True, default=None)
    role_session_name: str = _setting(default="identity-center-connector")
    role_duration: int = _setting(parse_duration, default=3600)
    instance_arn: str | None = _setting(
        _pattern(_INSTANCE_ARN, "an IAM Identity Center instance ARN"), default=None
    )
    identity_store_id: str | None = _setting(
        _pattern(_IDENTITY_STORE_ID, "an identity store ID (d-xxxxxxxxxx)"), default=None
    )
    database_url: str = _setting(secret=True, default=DEFAULT_DATABASE_URL)
    sync_interval: int = _setting(parse_duration, default=900)
    aws_endpoint_url: str | None = _setting(default=None)
    sso_admin_rps: float = _setting(_positive_float, default=20.0)
    identitystore_rps: float = _setting(_positive_float, default=20.0)
    organizations_rps: float = _setting(_positive_float, default=10.0)
    aws_max_attempts: int = _setting(_positive_int, default=10)
    # The share of each AWS quota a sync paces at while writes are open (the
    # writes take the rest while a sync runs): connector/quota_share.py.
    sync_quota_share: float = _setting(_share, default=0.75)
    sync_concurrency: int = _setting(_positive_int, default=8)
    assignment_walk: str = _setting(_choice(ASSIGNMENT_WALKS), default="auto")
    organizations: str = _setting(_choice(ORGANIZATIONS_MODES), default="auto")
    # Writes: how long a request waits for AWS before answering 202 Accepted,
    # when an operation whose runner stopped beating is resumed, the guardrails,
    # and whether deleting a user or group first removes its access and memberships.
    write_wait: float = _setting(_seconds, default=10.0)
    write_resume_after: int = _setting(parse_duration, default=30)
    # How long a step keeps asking AWS again through throttling or an outage (and
    # polls an assignment request) before the operation is left open for a later
    # resume; a step AWS accepted is never failed for want of its status.
    write_retry_for: int = _setting(parse_duration, default=300)
    guardrails_file: str | None = _setting(default=None)
    delete_cleanup: bool = _setting(_flag, default=True)
    user_delete: str = _setting(_choice(USER_DELETE_MODES), default="delete")
    # What a write does with attributes the Identity Store cannot hold
    # (externalId, password, ims, x509Certificates): refuse it, or leave them out.
    unsupported_attributes: str = _setting(_choice(UNSUPPORTED_MODES), default="refuse")
    # Where clients reach the service (scheme, host, port, and a path if a proxy
    # serves it under one): the base of every link it answers. Unset: the
    # address it listens on. Never the request's Host header, which any client sets.
    public_url: str | None = _setting(_public_url, default=None)
    # /ready answers 503 when the snapshot served is older than this (by
    # default `READY_SYNC_INTERVALS` sync intervals; see `max_snapshot_age`).
    ready_max_snapshot_age: int | None = _setting(_positive_duration, default=None)
    # How often the leading replica's sync process renews the sync lease (which
    # lasts two of these): a dead leader is replaced within about two of them
    # (connector.leadership).
    leader_heartbeat: int = _setting(_positive_duration, default=10)

    # The change feed (docs/change-feed.md): where AWS's change events are read
    # (none: full syncs every `sync_interval` only), the SQS queue an EventBridge
    # rule feeds, how often CloudTrail is polled and how far back each poll looks
    # again for events CloudTrail delivered late, LookupEvents' pace (AWS allows
    # 2 requests/s per account and region, shared with every other reader), and
    # the full sync that reconciles what the feed maintained.
    change_source: str = _setting(_choice(CHANGE_SOURCES), default="none")
    change_queue_url: str | None = _setting(default=None)
    change_poll_interval: int = _setting(_positive_duration, default=30)
    change_overlap: int = _setting(parse_duration, default=900)
    lookup_events_rps: float = _setting(_positive_float, default=1.0)
    reconcile_interval: int = _setting(_positive_duration, default=86400)
    # How far behind AWS the feed may fall (or how long it may go without a good
    # batch) before it says so, /ready names it, and a full sync runs early
    # (`feed_max_lag`).
    change_max_lag: int | None = _setting(_positive_duration, default=None)

    def full_sync_interval(self) -> int:
        """Seconds between full syncs: `sync_interval`, or with a change feed the
        reconciliation's `reconcile_interval`."""
        return self.sync_interval if self.change_source == "none" else self.reconcile_interval

    def feed_max_lag(self) -> int:
        """Seconds the change feed may lag: `change_max_lag`, by default the overlap
        window (a CloudTrail poll later than that no longer reads again what it
        missed) and at least four polls, so a healthy feed between polls is never
        behind."""
        return self.change_max_lag or max(self.change_overlap, 4 * self.change_poll_interval)

    def max_snapshot_age(self) -> int:
        """Seconds a served snapshot may age before /ready says the service is stale."""
        return self.ready_max_snapshot_age or READY_SYNC_INTERVALS * self.full_sync_interval()

    def redacted(self) -> dict[str, Any]:
        """The settings as shown to an administrator, secrets masked."""
        shown: dict[str, Any] = {}
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if spec.metadata["secret"] and value is not None:
                value = redact_url(value) if spec.name == "database_url" else "********"
            shown[spec.name] = value
        return shown


def redact_url(url: str) -> str:
    """A database URL without its password."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1********@", url)


def load_settings(
    environ: Mapping[str, str] | None = None, *, config_file: str | os.PathLike[str] | None = None
) -> Settings:
    """Read settings from the environment (and the TOML file it names)."""
    env = os.environ if environ is None else environ
    raw: dict[str, str] = {}
    problems: list[str] = []
    file_name = config_file or env.get(f"{ENV_PREFIX}CONFIG_FILE")
    if file_name:
        raw.update(_read_file(Path(file_name), problems))
    names = {spec.name for spec in dataclasses.fields(Settings)}
    for name in names:
        value = env.get(f"{ENV_PREFIX}{name.upper()}")
        if value is not None and value != "":
            raw[name] = value
    if not raw.get("region"):
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
        if region:
            raw["region"] = region

    values: dict[str, Any] = {}
    for spec in dataclasses.fields(Settings):
        if spec.name not in raw:
            continue
        try:
            values[spec.name] = spec.metadata["parse"](raw[spec.name])
        except ValueError as exc:
            problems.append(f"{ENV_PREFIX}{spec.name.upper()}: {exc}")
    settings = Settings(**values)
    problems.extend(_cross_checks(settings))
    if problems:
        raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(problems))
    return settings


def _read_file(path: Path, problems: list[str]) -> dict[str, str]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{ENV_PREFIX}CONFIG_FILE: {path} does not exist")
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{ENV_PREFIX}CONFIG_FILE: {path} cannot be read: {exc}")
        return {}
    names = {spec.name for spec in dataclasses.fields(Settings)}
    unknown = sorted(set(document) - names)
    if unknown:
        problems.append(f"{path}: unknown settings {', '.join(unknown)}")
    return {key: str(value) for key, value in document.items() if key in names}


def _cross_checks(settings: Settings) -> list[str]:
    problems = []
    if not settings.region:
        problems.append(f"{ENV_PREFIX}REGION: missing (the region of the Identity Center instance)")
    if settings.credentials_mode == "access_key" and not (
        settings.aws_access_key_id and settings.aws_secret_access_key
    ):
        problems.append(
            f"{ENV_PREFIX}CREDENTIALS_MODE=access_key needs {ENV_PREFIX}AWS_ACCESS_KEY_ID "
            f"and {ENV_PREFIX}AWS_SECRET_ACCESS_KEY"
        )
    if settings.credentials_mode == "assume_role" and not settings.role_arn:
        problems.append(f"{ENV_PREFIX}CREDENTIALS_MODE=assume_role needs {ENV_PREFIX}ROLE_ARN")
    if settings.credentials_mode != "assume_role" and (settings.role_arn or settings.external_id):
        problems.append(
            f"{ENV_PREFIX}ROLE_ARN and {ENV_PREFIX}EXTERNAL_ID are only used with "
            f"{ENV_PREFIX}CREDENTIALS_MODE=assume_role"
        )
    if not 900 <= settings.role_duration <= 43200:
        problems.append(f"{ENV_PREFIX}ROLE_DURATION: must be between 15m and 12h (AWS STS limits)")
    if settings.sync_interval < 60:
        problems.append(f"{ENV_PREFIX}SYNC_INTERVAL: must be at least 1m")
    if settings.identity_store_id and not settings.instance_arn:
        problems.append(
            f"{ENV_PREFIX}IDENTITY_STORE_ID is set without {ENV_PREFIX}INSTANCE_ARN: "
            "pin both or neither"
        )
    if settings.change_source == "sqs" and not settings.change_queue_url:
        problems.append(
            f"{ENV_PREFIX}CHANGE_SOURCE=sqs needs {ENV_PREFIX}CHANGE_QUEUE_URL "
            "(the queue the EventBridge rule feeds: idc-connector change-feed setup)"
        )
    if not settings.database_url.split(":", 1)[0].startswith(("sqlite", "postgresql")):
        problems.append(f"{ENV_PREFIX}DATABASE_URL: only sqlite:// and postgresql:// are supported")
    return problems


def settings_to_env(settings: Settings) -> dict[str, str]:
    """The `IDCC_*` variables that make `load_settings` return `settings` again.

    Used to hand the same settings to a child process (the periodic sync of
    `serve`), so the child reads them the one way settings are read.
    """
    env = {}
    for spec in dataclasses.fields(Settings):
        value = getattr(settings, spec.name)
        if value is not None:
            env[f"{ENV_PREFIX}{spec.name.upper()}"] = str(value)
    return env
