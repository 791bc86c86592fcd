"""`ember import`: contacts, accounts, deals, touches and events from CSV files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, err_console, print_json, transaction
from ember.events.service import import_events as import_event_file
from ember.imports.service import ImportReport, import_csv
from ember.jobs.outbox import after_commit
from ember.jobs.registry import get_jobs
from ember.settings import get_settings
from ember.validation import parse_timezone

import_app = typer.Typer(help="Import contacts, accounts, deals or touches from CSV (ours, HubSpot, Salesforce).",
                         no_args_is_help=True)


# Exit code when the import went through but some rows were rejected (0: every row went in).
EXIT_SOME_REJECTED = 3


def _count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1, 0)


def _import(kind: str, file: Path, owner: str | None, as_user: str | None, all_or_nothing: bool,
            rejected: Path | None, as_json: bool) -> None:
    if not file.is_file():
        err_console.print(f"[bold red]error:[/] {file} does not exist or is not a file")
        raise typer.Exit(1)
    rejected = rejected or file.with_name(file.stem + ".rejected.csv")
    columns = [TextColumn("importing {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err_console, transient=True, disable=as_json) as bar, transaction() as session:
        task = bar.add_task(file.name, total=_count_rows(file))
        actor = acting_user(session, as_user, fallback=owner)
        report = import_csv(session, actor, kind, file, default_owner_email=owner, all_or_nothing=all_or_nothing,
                            rejected_path=rejected, progress=lambda n: bar.advance(task, n),
                            cadence=get_settings().cadence.planning())
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(kind, report)
    if report.rejected:
        raise typer.Exit(EXIT_SOME_REJECTED)


def _print_report(kind: str, report: ImportReport) -> None:
    console.print(f"Imported {kind}: {report.created} created, {report.updated} updated, {report.merged} merged, "
                  f"{report.rejected} rejected.", highlight=False)
    for note in report.notes:
        console.print(f"Note: {note}", highlight=False, markup=False)
    if report.ignored_columns:
        console.print(f"Columns ignored: {', '.join(report.ignored_columns)}", highlight=False, markup=False)
    for warning in report.warnings[:20]:
        console.print(f"Warning: {warning}", highlight=False, markup=False)
    if len(report.warnings) > 20:
        console.print(f"... and {len(report.warnings) - 20} more warnings (see --json)")
    for problem in report.problems[:20]:
        err_console.print(f"  rejected {problem}", highlight=False, markup=False)
    if report.rejected_file:
        console.print(f"Rejected rows and their reasons: {report.rejected_file}", highlight=False, markup=False)


def _command(kind: str):  # type: ignore[no-untyped-def]
    def command(
        file: Path = typer.Argument(..., help="CSV file with a header row (UTF-8, UTF-16 or Windows-1252)."),
        owner: str | None = typer.Option(None, "--owner", help="Owner (email or name) for rows that name none."),
        as_user: str | None = AS_OPTION,
        all_or_nothing: bool = typer.Option(False, "--all-or-nothing",
                                            help="Import nothing if any row is invalid."),
        rejected: Path | None = typer.Option(None, "--rejected",
                                             help="Where to write rejected rows (default FILE.rejected.csv)."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        _import(kind, file, owner, as_user, all_or_nothing, rejected, as_json)

    command.__doc__ = (f"Import {kind} from a CSV file. Valid rows go in; rejected rows are listed and written to "
                       f"FILE.rejected.csv (exit code {EXIT_SOME_REJECTED}).")
    return command


def import_events(
    file: Path = typer.Argument(..., help="CSV with an email column; optional time, id and url columns."),
    source: str = typer.Option(..., "--source", help="The event source (see `ember sources list`)."),
    event_type: str = typer.Option(..., "--type", help="webinar_rsvp, podcast_subscribe, newsletter_subscribe, ..."),
    timezone: str = typer.Option("UTC", "--timezone", help="Time zone of times without an offset."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import events from a CSV file (webinar RSVPs, subscribers); all rows or none."""
    if not file.is_file():
        err_console.print(f"[bold red]error:[/] {file} does not exist or is not a file")
        raise typer.Exit(1)
    try:
        zone = parse_timezone(timezone)
    except ValueError as exc:
        err_console.print(f"[bold red]error:[/] option --timezone: {exc}")
        raise typer.Exit(1) from None
    jobs = get_jobs(get_settings())
    with transaction() as session:
        accepted = import_event_file(session, file, source=source, event_type=event_type, timezone=zone)
        ids = list(accepted.new_ids)
        after_commit(session, lambda: jobs.enqueue_events(ids))
    if as_json:
        print_json(accepted.as_dict())
        return
    console.print(f"Imported {len(accepted.new_ids)} {event_type} events from {file.name} "
                  f"({accepted.duplicates} already known). A running `ember worker` or `ember serve` handles them.")


for _kind in ("contacts", "accounts", "deals", "touches"):
    import_app.command(_kind)(_command(_kind))
import_app.command("events")(import_events)
