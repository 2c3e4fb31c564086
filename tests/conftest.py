"""Shared fixtures: stores on SQLite and PostgreSQL, and the live app on them.

PostgreSQL tests use the server named by IDCC_TEST_POSTGRES_URL (default: the
one on 127.0.0.1:5432), each test in a schema of its own. Where that server is
unreachable they are skipped, except when IDCC_REQUIRE_POSTGRES=1 (as `.ci/run`
sets it), where they fail: CI must never pass by skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa

from connector.store.store import Store

if TYPE_CHECKING:  # the live app is imported by the fixtures that build it, not by every module
    from playwright.sync_api import Browser, Page

    from tests.live import Live

POSTGRES_URL = os.environ.get(
    "IDCC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("IDCC_REQUIRE_POSTGRES") == "1"
CHROMIUM = Path("/usr/bin/chromium")
# As IDCC_REQUIRE_POSTGRES does for PostgreSQL: under CI (.ci/run) a missing Chromium
# fails the page tests instead of skipping them.
REQUIRE_CHROMIUM = os.environ.get("IDCC_REQUIRE_CHROMIUM") == "1"
# Chromium as root in a sandbox-less container, and nothing that reaches the network:
# this machine's network is closed, and the pages need nothing beyond the service.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_postgres_error: list[str] = []


def _postgres_reachable() -> bool:
    if not _postgres_error:
        try:
            engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
            with engine.connect():
                pass
            engine.dispose()
            _postgres_error.append("")
        except Exception as exc:  # any failure to connect means unreachable
            _postgres_error.append(f"{type(exc).__name__}: {exc}")
    return _postgres_error[0] == ""


@contextmanager
def _postgres_schema() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not _postgres_reachable():
        message = f"PostgreSQL unreachable at {POSTGRES_URL}: {_postgres_error[0]}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with _postgres_schema() as url:
        yield url


@pytest.fixture(scope="module")
def postgres_url_module() -> Iterator[str]:
    with _postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.sqlite3"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    yield opened
    opened.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def store_url_module(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A store URL on each of the two stores, for a module's tests to share."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store')}/store.sqlite3"
    url: str = request.getfixturevalue("postgres_url_module")
    return url


@pytest.fixture
def live(store_url: str, tmp_path: Path) -> Iterator[Live]:
    """The app on a synced tiny organisation and a simulated AWS, a fresh one for each
    test on each store: a write test may change anything without disturbing another."""
    from tests.live import open_live

    yield from open_live(store_url, tmp_path)


@pytest.fixture
def live_sqlite(tmp_path: Path) -> Iterator[Live]:
    """A fresh app on SQLite alone, for a test whose subject does not depend on the store."""
    from tests.live import open_live

    yield from open_live(f"sqlite:///{tmp_path}/store.sqlite3", tmp_path)


@pytest.fixture
def live_short_wait(tmp_path: Path) -> Iterator[Live]:
    """A fresh app on SQLite that waits one second for a write before answering 202, so
    that a test of slow AWS work (seconds of simulated delay) reaches the 202 quickly.
    Only for such tests: on a loaded machine even a quick write can take a second."""
    from tests.live import open_live

    yield from open_live(f"sqlite:///{tmp_path}/store.sqlite3", tmp_path, write_wait="1")


@pytest.fixture
def unsynced(store_url: str) -> Iterator[tuple[Any, str]]:
    """The app on a store no sync has filled yet, and a read token (the reports' tests)."""
    from connector.tokens import create_token
    from scim.app import create_app
    from tests.simulation import simulator_settings

    store = Store.open(store_url)
    try:
        app = create_app(simulator_settings(store_url), store=store)
        yield app.test_client(), create_token(store, "certifier", "read")
    finally:
        store.close()


@pytest.fixture(scope="module")
def shared_live(store_url_module: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app for a module whose requests must all be refused: its tests share one on each
    store, and check it is unchanged. Such a module makes it its `live`:

        @pytest.fixture(scope="module")
        def live(shared_live: Live) -> Live:
            return shared_live
    """
    from tests.live import open_live

    yield from open_live(store_url_module, tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def simulator_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The simulated Identity Center (tiny) as a process of its own, for a module whose
    tests run the real commands against it; its endpoint URL."""
    from scim.demo import start_simulator

    process, endpoint = start_simulator("tiny", tmp_path_factory.mktemp("sim") / "manifest.json")
    yield endpoint
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def before(live: Live) -> dict[str, Any]:
    """What AWS held before the module's first request (use it in `usefixtures`), in a
    module whose `live` is the shared one."""
    from tests.simulation import aws_state

    return aws_state(live.aws, live.manifest)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (the operator and review pages'
    tests): no browser is downloaded."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if REQUIRE_CHROMIUM:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab in a fresh context: no token in its sessionStorage."""
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()
