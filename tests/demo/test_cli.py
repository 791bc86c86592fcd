"""`ember demo --no-serve` from the command line, twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ember.cli.main import app
from ember.settings import get_settings


def test_demo_builds_then_reuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("EMBER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(app, ["demo", "--no-serve", "--contacts", "60", "--seed", "2"])
        assert first.exit_code == 0, first.output
        assert "Done in" in first.output and "60 contacts" in first.output
        assert "Learned targets and call windows in use for" in first.output
        assert "maya.chen@harborlight.example" in first.output and "ember-demo" in first.output
        assert (tmp_path / "ember.db").exists()
        second = runner.invoke(app, ["demo", "--no-serve"])
        assert second.exit_code == 0, second.output
        assert "reusing" in second.output and "Done in" not in second.output
    finally:
        get_settings.cache_clear()


def test_an_interrupted_build_is_reported_not_reused(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from ember.demo import generator

    monkeypatch.setenv("EMBER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("EMBER_DATABASE_URL", raising=False)
    get_settings.cache_clear()

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt  # as if the user pressed Ctrl+C half-way

    monkeypatch.setattr(generator.fixtures, "proof_points", crash)
    try:
        runner = CliRunner()
        runner.invoke(app, ["demo", "--no-serve", "--contacts", "30"])
        monkeypatch.undo()
        monkeypatch.setenv("EMBER_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("EMBER_DATABASE_URL", raising=False)
        again = runner.invoke(app, ["demo", "--no-serve"])
        assert again.exit_code == 1
        assert "interrupted" in again.output
    finally:
        get_settings.cache_clear()
