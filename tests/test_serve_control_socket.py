"""Two `serve` processes on one machine share no gunicorn control socket.

gunicorn (23+) opens a control socket for `gunicornc` at one path per user
($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl): every serve and
demo took the same one, and the first to stop removed it under the others. The
service is managed through its own commands and signals, so it opens none.
"""

from __future__ import annotations

from pathlib import Path

import requests

from tests.serving import clean_environment, serve_process


def test_two_serves_open_no_shared_control_socket(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()

    def env(store: str) -> dict[str, str]:
        """One serve's environment: its own store (SQLite serves one replica), and
        the shared home, without XDG_RUNTIME_DIR so that gunicorn would use it."""
        settings = {
            "IDCC_REGION": "us-east-1",
            "IDCC_DATABASE_URL": f"sqlite:///{tmp_path}/{store}",
        }
        shown = clean_environment({**settings, "HOME": str(home)})
        shown.pop("XDG_RUNTIME_DIR", None)
        return shown

    with serve_process(env("first.db"), tmp_path / "first.log", "--no-sync") as first:
        with serve_process(env("second.db"), tmp_path / "second.log", "--no-sync") as second:
            assert [p for p in home.rglob("*") if p.is_socket()] == []
            assert not (home / ".gunicorn").exists()
        # The second stopped: the first serves on, untouched.
        assert second.process.returncode is not None
        assert requests.get(f"{first.url}/health", timeout=5).json() == {"status": "ok"}
    assert [p for p in home.rglob("*") if p.is_socket()] == []
