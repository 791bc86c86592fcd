"""Shared fixtures: real databases built by the migrations, an app client, users.

Database tests run on SQLite by default. With EMBER_TEST_BACKEND=postgres
(``make test`` sets it for a second pass when EMBER_TEST_DATABASE_URL is
given) the same tests run against PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from ember.db import make_engine, session_factory
from ember.migrate import upgrade
from ember.models import Base
from ember.settings import Settings, get_settings

ON_POSTGRES = os.environ.get("EMBER_TEST_BACKEND") == "postgres"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "ember.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_engine() -> Iterator[Engine]:
    url = os.environ.get("EMBER_TEST_DATABASE_URL")
    if not url:
        pytest.fail("EMBER_TEST_BACKEND=postgres needs EMBER_TEST_DATABASE_URL")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _postgres_seed(_postgres_engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """The rows the migrations put into a new database (the sample stories...):
    every test starts from them, as a test on SQLite does from its template copy."""
    with _postgres_engine.connect() as conn:
        found = {t.name: [dict(r._mapping) for r in conn.execute(t.select())] for t in Base.metadata.sorted_tables}
    return {name: rows for name, rows in found.items() if rows}


def _reset(engine: Engine, seed: dict[str, list[dict[str, Any]]]) -> None:
    """Back to the database as the migrations left it."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for table in Base.metadata.sorted_tables:
            rows = seed.get(table.name)
            if rows:
                conn.execute(table.insert(), rows)
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"(SELECT max(id) FROM \"{table.name}\"))"))


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if ON_POSTGRES:
        pg: Engine = request.getfixturevalue("_postgres_engine")
        _reset(pg, request.getfixturevalue("_postgres_seed"))
        yield pg
        return
    path = tmp_path / "ember.db"
    shutil.copy(request.getfixturevalue("_template_db"), path)
    eng = make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as db:
        yield db
        db.rollback()


@pytest.fixture
def settings(tmp_path: Path, engine: Engine) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="test-secret-key-that-is-long-enough",
                    database_url=engine.url.render_as_string(hide_password=False))


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    from ember.app import create_app

    with TestClient(create_app(settings, engine)) as test_client:
        yield test_client


@pytest.fixture
def server_url(settings: Settings, engine: Engine) -> Iterator[str]:
    from ember.app import create_app
    from tests.browser_support import live_server

    with live_server(create_app(settings, engine)) as url:
        yield url


@pytest.fixture
def page(server_url: str):  # type: ignore[no-untyped-def]
    from tests.browser_support import chromium_page, require_chromium

    require_chromium()
    with chromium_page() as browser_page:
        browser_page.set_default_timeout(30_000)  # generous: CI shares two cores with the suite
        yield browser_page


@pytest.fixture
def ember(engine, tmp_path, monkeypatch) -> Iterator[Callable[..., Result]]:  # type: ignore[no-untyped-def]
    """Run `ember ...` against the test database, as a user would from a shell."""
    monkeypatch.setenv("EMBER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EMBER_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("EMBER_USER", raising=False)
    get_settings.cache_clear()
    from ember.cli.main import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        get_settings.cache_clear()  # a test may change EMBER_* variables between commands
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    yield run
    get_settings.cache_clear()
