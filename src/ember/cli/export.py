"""`ember export`: contacts, accounts or deals as CSV."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ember.cli.common import AS_OPTION, acting_user, err_console, transaction
from ember.imports.export import HEADERS, export_lines


def export(
    kind: str = typer.Argument(..., help="contacts, accounts or deals"),
    file: Path | None = typer.Argument(None, help="Output file (default: standard output)."),
    fmt: str = typer.Option("ours", "--format", help="ours, hubspot or salesforce (contacts)."),
    as_user: str | None = AS_OPTION,
) -> None:
    """Export what you can see as CSV, in the shape `ember import` reads."""
    if kind not in HEADERS or fmt not in HEADERS[kind]:
        err_console.print(f"[bold red]error:[/] cannot export {kind!r} as {fmt!r}; "
                          f"kinds: {', '.join(HEADERS)}; contact formats: {', '.join(HEADERS['contacts'])}")
        raise typer.Exit(1)
    with transaction() as session:
        actor = acting_user(session, as_user)
        out = file.open("w", newline="", encoding="utf-8") if file else sys.stdout
        try:
            for chunk in export_lines(session, actor, kind, fmt):
                out.write(chunk)
        finally:
            if file:
                out.close()
