"""The simulator command's flags for the change feed's benchmark, as its own process.

The benchmark starts `idc-connector simulator` and changes AWS as a console
administrator; these flags set what a test sets in-process with
``behaviour().update`` and ``register_principal``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.serving import wait_for

CONSOLE_KEY = "AKIACONSOLEADMIN0001"


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The tiny organisation served by the command, its events 1 s late; URL and call log."""
    log = tmp_path / "calls.log"
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "connector.cli", "simulator", "--size", "tiny"),
            *("--event-delay", "1", "--console-key", CONSOLE_KEY, "--call-log", str(log)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip(), log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _client(service: str, url: str, key: str = CONSOLE_KEY) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key="secret",
    )


def _events(url: str) -> list[dict[str, Any]]:
    """The write events (the seed's sign-ins are read events)."""
    found: list[dict[str, Any]] = _client("cloudtrail", url).lookup_events(
        LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "false"}]
    )["Events"]
    return found


def test_a_console_change_arrives_after_the_delay_and_every_call_is_logged(
    simulator: tuple[str, Path],
) -> None:
    url, log = simulator
    assert _events(url) == []  # seeding calls the backends, not the API: no write event
    accounts = _client("organizations", url).list_accounts()["Accounts"]
    _client("account", url).put_account_name(AccountId=accounts[0]["Id"], AccountName="renamed")
    made = time.monotonic()

    arrived = wait_for(lambda: _events(url), timeout=30, what="the delayed event")
    assert time.monotonic() - made >= 1.0  # delivered no sooner than the delay
    record = json.loads(arrived[0]["CloudTrailEvent"])
    assert record["userIdentity"]["arn"].endswith("/alice@example.com")
    logged = [line.split("\t") for line in log.read_text().splitlines()]
    assert [CONSOLE_KEY, "account", "PutAccountName", "200"] in [row[1:] for row in logged]
    assert [CONSOLE_KEY, "organizations", "ListAccounts", "200"] in [row[1:] for row in logged]
