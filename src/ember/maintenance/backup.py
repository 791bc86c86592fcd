"""Backups and restores of the embedded SQLite database.

SQLite's online backup copies a consistent snapshot while the app keeps
running, page by page, so a backup never needs downtime. A restore replaces
the live database with a backup after checking that the file really is an
Ember database of a schema this version knows; the migrations then bring an
older backup up to date. PostgreSQL installations use the server's own tools
(``pg_dump`` / ``pg_restore``), which docs/deploy.md describes.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory

from ember.errors import EmberError
from ember.maintenance import repository
from ember.migrate import alembic_config

PAGES_PER_STEP = 1024  # small steps let the app keep writing between them


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size_bytes: int
    revision: str


def sqlite_path(database_url: str) -> Path:
    """The file behind a SQLite URL; other databases are refused with what to use instead."""
    if not database_url.startswith("sqlite:///"):
        raise EmberError(
            "backup and restore here cover the embedded SQLite database; for PostgreSQL use "
            "pg_dump and pg_restore (see docs/deploy.md, 'Backups')")
    path = database_url.removeprefix("sqlite:///")
    if not path or path == ":memory:":
        raise EmberError("an in-memory database has nothing to back up")
    return Path(path)


def backup(database_url: str, target: Path, *, overwrite: bool = False) -> BackupReport:
    """Copy a consistent snapshot of the live database to ``target``."""
    source = sqlite_path(database_url)
    if not source.exists():
        raise EmberError(f"no database at {source}: nothing to back up")
    if target.exists() and not overwrite:
        raise EmberError(f"{target} already exists; choose another name or pass --overwrite")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with _connect(source, read_only=True) as live, _connect(partial) as copy:
        live.backup(copy, pages=PAGES_PER_STEP)
    os.replace(partial, target)  # a half-written backup never carries the final name
    return BackupReport(target, target.stat().st_size, schema_revision(target))


def restore(database_url: str, source: Path) -> BackupReport:
    """Replace the live database with the backup at ``source`` (the app must be stopped)."""
    target = sqlite_path(database_url)
    if not source.exists():
        raise EmberError(f"{source}: no such file")
    revision = schema_revision(source)
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config(database_url)).walk_revisions()}
    if revision not in known:
        raise EmberError(f"{source} has schema version {revision}, which this version of Ember does not know; "
                         "restore it with the version that wrote it, or upgrade Ember first")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _connect(source, read_only=True) as backup_db, _connect(target) as live:
        backup_db.backup(live, pages=PAGES_PER_STEP)
    return BackupReport(source, source.stat().st_size, revision)


def schema_revision(path: Path) -> str:
    """The migration an Ember database file is at; anything else is refused with the reason."""
    try:
        with _connect(path, read_only=True) as db:
            checked = repository.integrity(db)
            if checked != "ok":
                raise EmberError(f"{path} is damaged (SQLite says: {checked})")
            revision = repository.stored_revision(db)
    except sqlite3.DatabaseError as exc:
        raise EmberError(f"{path} is not an Ember database ({exc}); pick a file `ember db backup` wrote") from None
    if revision is None:
        raise EmberError(f"{path} holds no schema version; pick a file `ember db backup` wrote")
    return revision


def _connect(path: Path, *, read_only: bool = False) -> closing[sqlite3.Connection]:
    """A connection closed (not merely committed) when its block ends."""
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    return closing(sqlite3.connect(uri, uri=True, timeout=30))
