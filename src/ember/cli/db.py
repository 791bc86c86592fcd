"""`ember db`: the schema, backups and restores."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from ember.cli.common import console, engine, user_errors
from ember.events.retention import forget_old_events
from ember.maintenance import backup as backups
from ember.settings import get_settings
from ember.tallies.service import recount, refresh

db_app = typer.Typer(help="Database schema, backups and restores.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the latest version."""
    with user_errors():
        eng = engine()
    console.print(f"Database is up to date: {eng.url.render_as_string(hide_password=True)}")


@db_app.command("backup")
def db_backup(
    file: Path = typer.Argument(..., help="Where to write the backup (a SQLite file)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace FILE if it exists."),
) -> None:
    """Copy a consistent snapshot of the embedded database while the app keeps running."""
    with user_errors():
        report = backups.backup(get_settings().resolved_database_url, file, overwrite=overwrite)
    console.print(f"Backed up to {report.path} ({report.size_bytes:,} bytes, schema {report.revision})")


@db_app.command("restore")
def db_restore(
    file: Path = typer.Argument(..., help="A file written by `ember db backup`."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Replace the embedded database with a backup (stop `ember serve` and workers first)."""
    url = get_settings().resolved_database_url
    with user_errors():
        live = backups.sqlite_path(url)
        revision = backups.schema_revision(file)
    if not yes:
        typer.confirm(f"Replace {live} with {file} (schema {revision})? Everything written since is lost",
                      abort=True)
    with user_errors():
        report = backups.restore(url, file)
        engine()  # an older backup is brought up to the current schema
    console.print(f"Restored {report.path} (schema {report.revision}); the database is up to date")


@db_app.command("forget-events")
def db_forget_events(
    keep_days: int = typer.Option(None, "--keep-days", min=1,
                                  help="Keep this many days of events (default EMBER_EVENTS_KEEP_DAYS)."),
) -> None:
    """Delete handled events older than the retention period now (the workers do it nightly)."""
    settings = get_settings()
    days = keep_days or settings.events.events_keep_days
    if days <= 0:
        console.print("EMBER_EVENTS_KEEP_DAYS is 0: events are kept for ever; pass --keep-days to delete old ones")
        return
    with user_errors():
        deleted = forget_old_events(engine(), keep_days=days, now=datetime.now(UTC))
    console.print(f"Deleted {deleted:,} events received more than {days} days ago")


@db_app.command("recount")
def db_recount(
    from_start: bool = typer.Option(False, "--from-start",
                                    help="Empty the counts and count every touch again (the workers do it nightly)."),
) -> None:
    """Bring the running counts behind the team numbers up to date (the workers fold new touches every minute)."""
    with user_errors():
        eng = engine()
        touches = recount(eng) if from_start else refresh(eng)
    console.print(f"Running counts up to date: {touches:,} touch ids folded in")
