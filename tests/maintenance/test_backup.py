"""`ember db backup` and `ember db restore`: a round trip gives back exactly what was saved."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the embedded database's backup; PostgreSQL uses pg_dump")


def _emails(ember) -> list[str]:  # type: ignore[no-untyped-def]
    return [user["email"] for user in json.loads(ember("users", "list", "--json").stdout)]


def test_a_backup_restores_what_was_there_when_it_was_taken(ember, tmp_path: Path) -> None:
    ember("users", "add", "ana@acme.example", "--name", "Ana", "--role", "admin")
    saved = tmp_path / "monday.ember"
    made = ember("db", "backup", str(saved))
    assert made.exit_code == 0, made.stderr
    assert "Backed up to" in made.stdout and saved.stat().st_size > 0

    ember("users", "add", "ben@acme.example", "--name", "Ben")  # written after the backup
    assert _emails(ember) == ["ana@acme.example", "ben@acme.example"]

    restored = ember("db", "restore", str(saved), "--yes")
    assert restored.exit_code == 0, restored.stderr
    assert _emails(ember) == ["ana@acme.example"]


def test_a_backup_never_overwrites_by_accident(ember, tmp_path: Path) -> None:
    saved = tmp_path / "monday.ember"
    saved.write_text("keep me")
    refused = ember("db", "backup", str(saved))
    assert refused.exit_code == 1 and "--overwrite" in refused.stderr
    assert saved.read_text() == "keep me"
    assert ember("db", "backup", str(saved), "--overwrite").exit_code == 0


def test_restore_refuses_a_file_that_is_not_an_ember_backup(ember, tmp_path: Path) -> None:
    ember("users", "add", "ana@acme.example", "--name", "Ana")
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all " * 100)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    for wrong in (text, other, tmp_path / "missing.ember"):
        refused = ember("db", "restore", str(wrong), "--yes")
        assert refused.exit_code == 1, wrong
        assert "ember db backup" in refused.stderr or "no such file" in refused.stderr
    assert _emails(ember) == ["ana@acme.example"]  # the live data is untouched


def test_restore_refuses_a_schema_this_version_does_not_know(ember, tmp_path: Path) -> None:
    ember("users", "add", "ana@acme.example", "--name", "Ana")
    future = tmp_path / "future.ember"
    assert ember("db", "backup", str(future)).exit_code == 0
    with sqlite3.connect(future) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    refused = ember("db", "restore", str(future), "--yes")
    assert refused.exit_code == 1 and "9999" in refused.stderr and "upgrade Ember" in refused.stderr


def test_postgresql_installations_are_pointed_at_pg_dump(ember, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EMBER_DATABASE_URL", "postgresql+psycopg://ember@db.example/ember")
    refused = ember("db", "backup", str(tmp_path / "x"))
    assert refused.exit_code == 1 and "pg_dump" in refused.stderr
