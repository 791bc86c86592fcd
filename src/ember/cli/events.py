"""`ember rules`, `ember import events` and `ember worker` (`ember sources` is in sources.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, err_console, print_json, transaction
from ember.events import rule_service
from ember.events.csv_import import import_events as import_event_file
from ember.events.rule_service import RuleInput
from ember.jobs.outbox import after_commit
from ember.jobs.queue import get_jobs
from ember.settings import get_settings
from ember.validation import parse_timezone

rules_app = typer.Typer(help="Trigger rules: which events mean a contact is warm again.", no_args_is_help=True)


def _print_rules(rules: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rules)
        return
    table = Table("id", "name", "event", "URL pattern", "count", "window", "audience", "active")
    for r in rules:
        table.add_row(str(r["id"]), r["name"], r["event_type"], r["url_pattern"] or "", str(r["min_count"]),
                      f"{r['window_hours']} h", r["audience"], "yes" if r["active"] else "no")
    console.print(table)


@rules_app.command("list")
def list_rules(as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List the trigger rules that apply to you."""
    with transaction() as session:
        rules = [rule_service.rule_dict(r) for r in rule_service.list_rules(session, acting_user(session, as_user))]
    _print_rules(rules, as_json)


@rules_app.command("add")
def add_rule(
    name: str = typer.Argument(..., help="What the rule means, e.g. 'Integrations page visit'."),
    event_type: str = typer.Option(..., "--event", help="page_view, newsletter_subscribe, webinar_rsvp, ..."),
    url: str | None = typer.Option(None, "--url", help="URL globs, e.g. '*/pricing*, */plans*'."),
    count: int = typer.Option(1, "--count", help="Matching events needed within the window."),
    window: int = typer.Option(168, "--window-hours", help="The window, in hours."),
    audience: str = typer.Option("any", "--audience", help="nurture, stalled or any."),
    as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION,
) -> None:
    """Add a trigger rule (managers for their team, admins for everyone)."""
    with transaction() as session:
        rule = rule_service.add_rule(session, acting_user(session, as_user),
                                     RuleInput(name, event_type, url, count, window, audience))
        data = rule_service.rule_dict(rule)
    _print_rules([data], as_json)


def _set_active(rule_id: int, active: bool, as_user: str | None, as_json: bool) -> None:
    with transaction() as session:
        rule = rule_service.update_rule(session, acting_user(session, as_user), rule_id, {"active": active})
        data = rule_service.rule_dict(rule)
    _print_rules([data], as_json)


@rules_app.command("disable")
def disable_rule(rule_id: int, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Stop a rule from raising alerts (it is kept and can be enabled again)."""
    _set_active(rule_id, False, as_user, as_json)


@rules_app.command("enable")
def enable_rule(rule_id: int, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Let a disabled rule raise alerts again."""
    _set_active(rule_id, True, as_user, as_json)


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


def worker(workers: int = typer.Option(2, "--workers", min=1, max=64, help="Worker threads in this process.")) -> None:
    """Run background jobs (events, alert deliveries, the sweep) until stopped with Ctrl-C."""
    from ember.cli.common import engine
    from ember.jobs.queue import location
    from ember.jobs.runner import run_worker

    settings = get_settings()
    engine()  # the schema must be current before any job runs
    where = "Redis" if settings.redis_url else location(settings)  # a Redis URL may hold a password
    err_console.print(f"Worker with {workers} threads on queue {settings.queue_name} at {where}",
                      highlight=False)
    run_worker(settings, workers)
