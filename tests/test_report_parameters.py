"""Both reports (drift, review export) need a token that reads, and refuse a bad value
with one clear error naming it, before anything is read: a SCIM 400 over HTTP, exit
code 2 with one line on the CLI (connector.review.parameters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connector.store.store import Store
from connector.tokens import SCOPES, create_token
from tests.test_cli import run_cli

PATHS = ("/reports/drift", "/reports/review")


@pytest.mark.parametrize("path", PATHS)
def test_a_report_needs_a_read_or_write_token(
    unsynced: tuple[Any, str], store_url: str, path: str
) -> None:
    client, _ = unsynced
    answer = client.get(path)
    assert answer.status_code == 401
    assert answer.get_json()["status"] == "401"
    store = Store.open(store_url)
    try:
        tokens = {scope: create_token(store, f"a-{scope}", scope) for scope in SCOPES}
    finally:
        store.close()
    for scope, token in tokens.items():
        answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == (403 if scope == "metrics" else 200), scope
        answer.get_data()  # read to its end, so a streamed body closes in order


@pytest.mark.parametrize(
    ("path", "query", "named"),
    [
        ("/reports/drift", "since=yesterday", "'yesterday'"),
        ("/reports/drift", "since=2026-13-01T00:00:00Z", "'2026-13-01T00:00:00Z'"),
        ("/reports/drift", "unusedDays=0", "'0'"),
        ("/reports/drift", "unusedDays=-5", "'-5'"),
        ("/reports/drift", "unusedDays=1.5", "'1.5'"),
        ("/reports/drift", "unusedDays=ninety", "'ninety'"),
        ("/reports/drift", "unusedDays=36501", "'36501'"),
        ("/reports/drift", "format=xml", "'xml'"),
        ("/reports/drift", "owner=bob", "'owner'"),
        ("/reports/review", "format=xml", "'xml'"),
        ("/reports/review", "format=text", "'text'"),
        ("/reports/review", "unusedDays=0", "'0'"),
        ("/reports/review", "unusedDays=-5", "'-5'"),
        ("/reports/review", "unusedDays=1.5", "'1.5'"),
        ("/reports/review", "unusedDays=ninety", "'ninety'"),
        ("/reports/review", "owner=bob", "'owner'"),
        ("/reports/review", "ou=%20%20", "'  '"),
        ("/reports/review", "account=%20", "' '"),
        # Last use is not known on this store (no back-fill): refused, not guessed.
        ("/reports/review", "unusedDays=30", "'30'"),
    ],
)
def test_a_bad_parameter_is_a_scim_400_naming_the_value(
    unsynced: tuple[Any, str], path: str, query: str, named: str
) -> None:
    client, token = unsynced
    answer = client.get(f"{path}?{query}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["status"] == "400" and body["scimType"] == "invalidValue"
    assert named in body["detail"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("drift", "--since", "last week"), "'last week'"),
        (("drift", "--unused-days", "0"), "'0'"),
        (("drift", "--unused-days", "abc"), "'abc'"),
        (("drift", "--format", "csv"), "'csv'"),
        (("review", "export", "--format", "text"), "'text'"),
        (("review", "export", "--unused-days", "0"), "'0'"),
        (("review", "export", "--unused-days", "abc"), "'abc'"),
        (("review", "export", "--ou", " "), "' '"),
        (("review", "export", "--group", ""), "''"),
    ],
)
def test_a_bad_cli_value_exits_2_with_one_message_naming_it(
    tmp_path: Path, args: tuple[str, ...], named: str
) -> None:
    database = tmp_path / "s.db"
    env = {
        "IDCC_REGION": "us-east-1",
        "IDCC_DATABASE_URL": f"sqlite:///{database}",
        "IDCC_LOG_FORMAT": "text",  # the person at a terminal's `error: ...` line
    }
    result = run_cli(*args, env=env)
    assert result.returncode == 2
    option = next(arg for arg in args if arg.startswith("--"))
    assert result.stderr.count("\n") == 1 and named in result.stderr
    assert result.stderr.startswith(f"error: {option}: ")
    assert not database.exists()  # refused before the store was opened
