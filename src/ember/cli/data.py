"""`ember import` and `ember export`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ember.cadence.config import cadence_settings
from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, err_console, print_json, transaction
from ember.imports.export import HEADERS, export_lines
from ember.imports.service import import_csv
from ember.settings import get_settings

import_app = typer.Typer(help="Import contacts, accounts, deals or touches from CSV (ours, HubSpot, Salesforce).",
                         no_args_is_help=True)


def _count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def _import(kind: str, file: Path, owner: str | None, as_user: str | None, skip_invalid: bool,
            rejected: Path | None, as_json: bool) -> None:
    if not file.is_file():
        err_console.print(f"[bold red]error:[/] {file} does not exist or is not a file")
        raise typer.Exit(1)
    rejected = rejected or (file.with_name(file.stem + ".rejected.csv") if skip_invalid else None)
    columns = [TextColumn("validating {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err_console, transient=True, disable=as_json) as bar, transaction() as session:
        task = bar.add_task(file.name, total=_count_rows(file))
        actor = acting_user(session, as_user, fallback=owner)
        report = import_csv(session, actor, kind, file, default_owner_email=owner, skip_invalid=skip_invalid,
                            rejected_path=rejected, progress=lambda n: bar.advance(task, n),
                            cadence=cadence_settings(get_settings()))
    if as_json:
        print_json(report.as_dict())
        return
    console.print(f"Imported {kind}: {report.created} created, {report.updated} updated, "
                  f"{report.rejected} rejected.")
    if report.rejected_file:
        console.print(f"Rejected rows and their reasons: {report.rejected_file}")
    if report.ignored_columns:
        console.print(f"Columns not used: {', '.join(report.ignored_columns)}")


def _command(kind: str):  # type: ignore[no-untyped-def]
    def command(
        file: Path = typer.Argument(..., help="CSV file with a header row."),
        owner: str | None = typer.Option(None, "--owner", help="Owner (email) for rows that name none."),
        as_user: str | None = AS_OPTION,
        skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import valid rows, write rejects to a CSV."),
        rejected: Path | None = typer.Option(None, "--rejected", help="Where to write rejected rows."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        _import(kind, file, owner, as_user, skip_invalid, rejected, as_json)

    command.__doc__ = f"Import {kind} from a CSV file; all rows or none unless --skip-invalid."
    return command


for _kind in ("contacts", "accounts", "deals", "touches"):
    import_app.command(_kind)(_command(_kind))


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
