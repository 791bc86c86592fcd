"""`ember rules`: trigger rules, which events mean a contact is warm again."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, print_json, transaction
from ember.events import service
from ember.events.service import RuleInput

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
        rules = [service.rule_dict(r) for r in service.list_rules(session, acting_user(session, as_user))]
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
        rule = service.add_rule(session, acting_user(session, as_user),
                                     RuleInput(name, event_type, url, count, window, audience))
        data = service.rule_dict(rule)
    _print_rules([data], as_json)


def _set_active(rule_id: int, active: bool, as_user: str | None, as_json: bool) -> None:
    with transaction() as session:
        rule = service.update_rule(session, acting_user(session, as_user), rule_id, {"active": active})
        data = service.rule_dict(rule)
    _print_rules([data], as_json)


@rules_app.command("disable")
def disable_rule(rule_id: int, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Stop a rule from raising alerts (it is kept and can be enabled again)."""
    _set_active(rule_id, False, as_user, as_json)


@rules_app.command("enable")
def enable_rule(rule_id: int, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Let a disabled rule raise alerts again."""
    _set_active(rule_id, True, as_user, as_json)
