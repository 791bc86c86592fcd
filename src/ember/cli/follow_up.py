"""`ember touch ...` and `ember today`: the daily follow-up work from a terminal."""

from __future__ import annotations

import time
from datetime import datetime

import typer
from rich.progress import Progress
from rich.table import Table

from ember.cadence.bulk import replan_all
from ember.cadence.config import cadence_settings
from ember.cli.common import (
    AS_OPTION,
    JSON_OPTION,
    acting_on_contact,
    acting_user,
    console,
    engine,
    err_console,
    print_json,
    transaction,
    user_errors,
)
from ember.errors import InvalidInput, Problem
from ember.settings import get_settings
from ember.today.service import queue_for
from ember.touches import service
from ember.touches.schemas import logged_dict
from ember.validation import parse_datetime

touch_app = typer.Typer(help="Log touches (calls, voicemails, emails...) and see the plan they cause.",
                        no_args_is_help=True)


def parse_when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise InvalidInput(f"{option} is not a date", [Problem(option, *str(exc).split("; ", 1))]) from exc


@touch_app.command("log")
def log(
    contact: str = typer.Option(..., "--contact", help="The contact's email."),
    channel: str = typer.Option(..., "--channel", help="call, email, voicemail, social, sms or meeting."),
    outcome: str = typer.Option(..., "--outcome", help="conversation, gatekeeper, voicemail, no-answer, "
                                "wrong-number, email-sent, email-replied, email-bounced, meeting-held, no-show, "
                                "said-no, not-now (or a team outcome)."),
    at: str | None = typer.Option(None, "--at", help="When it happened (ISO 8601); default now."),
    deal: int | None = typer.Option(None, "--deal", help="Deal id; default the contact's open deal."),
    notes: str | None = typer.Option(None, "--notes"),
    variant: str | None = typer.Option(None, "--variant", help="The message variant used, if not the proposed one."),
    callback: str | None = typer.Option(None, "--callback", help="With not-now: when they asked to be called."),
    confirm_date: bool = typer.Option(False, "--confirm-date",
                                      help="Log a touch dated before the contact was added (older history)."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Log a touch; prints its label (FTC #n or follow-up #n) and the next touch planned."""
    with transaction() as session:
        actor, target = acting_on_contact(session, as_user, contact)
        logged = service.log_touch(
            session, actor, contact_id=target.id, channel=channel, outcome=outcome,
            occurred_at=parse_when(at, "--at"), deal_id=deal, notes=notes, variant_key=variant,
            callback_at=parse_when(callback, "--callback"), settings=cadence_settings(get_settings()),
            confirm_date=confirm_date,
        )
        data = logged_dict(logged)
    if as_json:
        print_json(data)
        return
    console.print(f"[bold]{data['touch']['label']}[/] logged for {contact} ({outcome}); "
                  f"message used: {data['touch']['variant'] or '-'}")
    nxt = data["next"]
    if nxt is None:
        console.print(f"Nothing planned: {data['why']} Contact is now {data['contact_status']}.")
    else:
        console.print(f"Next: [bold]{nxt['label']}[/] by {nxt['channel']} at {nxt['at']}: {nxt['purpose']}")
        console.print(f"  message: {nxt['variant'] or '-'}\n  why: {nxt['reason']}")


def today(
    rep: str | None = typer.Option(None, "--rep", help="A rep on your team (managers)."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Your Today queue: who to call or email now, which attempt, which message, and why."""
    with transaction() as session:
        actor = acting_user(session, as_user)
        items = [item.as_dict() for item in queue_for(session, actor, rep)]
    if as_json:
        print_json(items)
        return
    if not items:
        console.print("Nothing due today.")
        return
    table = Table("when (their time)", "contact", "deal", "attempt", "purpose", "message", "why")
    for item in items:
        table.add_row(item["local_time"], item["contact"], item["deal"] or "", item["label"] or item["kind"],
                      item["purpose"], item["variant"] or "", item["reason"])
    console.print(table)


def replan(
    workers: int = typer.Option(0, "--workers", help="Processes to use (default: all cores)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Re-plan the next touch of every contact, e.g. after changing the cadence settings."""



    with user_errors():
        eng = engine()
        start = time.perf_counter()
        with Progress(console=err_console, transient=True, disable=as_json) as bar:
            task = bar.add_task("re-planning", total=None)
            written = replan_all(eng, cadence_settings(get_settings()), workers=workers or None,
                                 progress=lambda n: bar.advance(task, n))
        seconds = time.perf_counter() - start
    if as_json:
        print_json({"planned": written, "seconds": round(seconds, 2)})
    else:
        console.print(f"Re-planned: {written} next touches in {seconds:.1f} s.")
