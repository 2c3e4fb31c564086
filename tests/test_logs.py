"""Logs as docs/operations.md promises: one JSON object a line from every process of
`serve` (gunicorn's master and workers, the access log, the sync process), never a
token, and no migration chatter from the command line.

`serve` is the real command with its stderr (and stdout) in a file, as under a
process manager: every line it and its children write there must parse.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from connector.config import settings_to_env
from connector.store.engine import create_engine, migrate
from connector.store.store import Store
from connector.tokens import create_token
from tests.serving import answers_ok, clean_environment, raw_exchange, serve_process, wait_for
from tests.simulation import simulator_settings


def test_serve_and_its_sync_write_one_json_object_a_line_without_a_token(
    simulator_endpoint: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    token = create_token(Store.open(url), "iga", "read")
    env = clean_environment(
        settings_to_env(simulator_settings(url, aws_endpoint_url=simulator_endpoint))
    )
    with serve_process(env, tmp_path / "serve.log", "--workers", "2") as served:
        wait_for(lambda: answers_ok(f"{served.url}/ready"), timeout=120, what="a first sync")
        listed = requests.get(
            f"{served.url}/scim/v2/Users",
            params={"filter": 'userName eq "someone@example.com"', "count": "1"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert listed.status_code == 200
        in_query = requests.get(f"{served.url}/scim/v2/Users?access_token={token}", timeout=30)
        assert in_query.status_code == 401
        refused = raw_exchange(served.url, f"GET /x{token} HTTP/1.1 extra\r\n\r\n".encode())
        assert refused.startswith(b"HTTP/1.1 400")
        wait_for(
            lambda: served.log_text().count('"logger": "gunicorn.access"') >= 3,
            timeout=30,
            what="the access log of the three requests",
        )
    assert served.process.returncode == 0

    logged = served.log_records()
    text = served.log_text()
    assert text.endswith("\n")  # and so every line was parsed
    assert token not in text
    assert "someone@example.com" not in text
    loggers = {record["logger"] for record in logged}
    # gunicorn's own lines, the access log, the supervisor, the sync process.
    assert {"gunicorn.error", "gunicorn.access", "scim.sync_supervisor", "connector.sync"} <= (
        loggers
    )
    assert not {logger for logger in loggers if logger.startswith("alembic")}
    messages = {record["message"] for record in logged}
    assert "sync succeeded" in messages
    assert any(message.startswith("Listening at: ") for message in messages)
    access = [r for r in logged if r["logger"] == "gunicorn.access"]
    users = next(r for r in access if r["path"].startswith("/scim/v2/Users?filter"))
    assert users["path"] == "/scim/v2/Users?filter=<redacted>&count=<redacted>"
    assert users["method"] == "GET" and users["status"] == 200
    assert isinstance(users["duration_ms"], int)
    assert any(r["path"] == "/scim/v2/Users?access_token=<redacted>" for r in access)


def test_commands_print_no_migration_chatter(tmp_path: Path) -> None:
    # A store of the first release: the command migrates it to the newest schema.
    engine = create_engine(f"sqlite:///{tmp_path}/new.sqlite3")
    migrate(engine, "0001")
    engine.dispose()
    env = clean_environment(
        {"IDCC_REGION": "us-east-1", "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/new.sqlite3"}
    )
    status = subprocess.run(
        [sys.executable, "-m", "connector.cli", "status"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr
    assert status.stderr == ""
    assert "no sync has run yet" in status.stdout
