"""`ember db`: the database schema."""

from __future__ import annotations

import typer

from ember.cli.common import console, engine, user_errors

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the latest version."""
    with user_errors():
        eng = engine()
    console.print(f"Database is up to date: {eng.url.render_as_string(hide_password=True)}")
