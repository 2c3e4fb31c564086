"""SQLite serves one replica: a second `serve` on the same file is refused before it
starts anything, and the first goes on serving."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from connector.config import settings_to_env
from tests.serving import answers_ok, clean_environment, free_port, serve_process
from tests.simulation import simulator_settings


def test_a_second_serve_on_one_sqlite_store_is_refused_with_exit_code_2(tmp_path: Path) -> None:
    database = tmp_path / "store.sqlite3"
    # No sync: the refusal concerns the store, not AWS.
    settings = simulator_settings(f"sqlite:///{database}", aws_endpoint_url="http://127.0.0.1:9")
    env = clean_environment(settings_to_env(settings))
    with serve_process(env, tmp_path / "first.log", "--workers", "1", "--no-sync") as first:
        port = free_port()
        second = subprocess.run(
            [sys.executable, "-m", "connector.cli", "serve", "--port", str(port), "--no-sync"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2, second.stderr
        # Off a terminal the error is the log's last JSON line.
        said = json.loads(second.stderr.strip().splitlines()[-1])
        assert (said["level"], said["exit_code"]) == ("error", 2)
        assert said["message"] == (
            f"another serve (pid {first.process.pid}) uses the SQLite store "
            f"{database.resolve()}: SQLite serves one replica; stop that one, "
            "or run several on PostgreSQL"
        )
        assert not answers_ok(f"http://127.0.0.1:{port}/health")
        assert answers_ok(f"{first.url}/health")
