from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner, Result

from ember.cli.main import app
from ember.settings import get_settings


@pytest.fixture
def ember(engine, tmp_path, monkeypatch) -> Iterator[Callable[..., Result]]:  # type: ignore[no-untyped-def]
    """Run `ember ...` against the test database, as a user would from a shell."""
    monkeypatch.setenv("EMBER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EMBER_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("EMBER_USER", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    yield run
    get_settings.cache_clear()
