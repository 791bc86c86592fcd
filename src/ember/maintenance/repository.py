"""What a backup check reads from an SQLite file, through the driver (the file may not be ours)."""

from __future__ import annotations

import sqlite3


def integrity(db: sqlite3.Connection) -> str:
    """SQLite's quick check: "ok", or what it found damaged."""
    found = db.execute("PRAGMA quick_check").fetchone()
    return str(found[0]) if found else "nothing"


def stored_revision(db: sqlite3.Connection) -> str | None:
    """The migration the file's schema is at, None where Alembic recorded none."""
    found = db.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(found[0]) if found is not None else None
