"""`ember steps`: the next steps agreed on calls, and closing them."""

from __future__ import annotations

import typer
from rich.table import Table

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, print_json, transaction
from ember.settings import get_settings
from ember.steps import service

steps_app = typer.Typer(help="Next steps agreed on calls: list them, mark them done or cancel them.",
                        no_args_is_help=True)


@steps_app.command("list")
def list_steps(
    status: str = typer.Option("open", "--status", help="open, done, cancelled, or all."),
    rep: str | None = typer.Option(None, "--rep", help="Managers: the steps of this rep (email)."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Your next steps, oldest due first. An undated step shows its default due date."""
    with transaction() as session:
        steps = [s.as_dict() for s in service.list_steps(
            session, acting_user(session, as_user), rep_email=rep, status=None if status == "all" else status,
            default_days=get_settings().today.next_step_default_days)]
    if as_json:
        print_json(steps)
        return
    table = Table("id", "due", "who", "what", "contact", "deal", "status")
    for s in steps:
        due = (s["due_at"] or "")[:10] + (" (default)" if s["due_is_default"] else "")
        who = "you" if s["owner_side"] == "rep" else "they"
        table.add_row(str(s["id"]), due, who, s["type"], s["contact"] or "", s["deal"] or "", s["status"])
    console.print(table)
    console.print(f"{len(steps)} next steps.")


def _close(step_id: int, action: str, as_user: str | None, as_json: bool) -> None:
    with transaction() as session:
        step = service.set_status(session, acting_user(session, as_user), step_id, action)
        data = service.view(step, None, None, get_settings().today.next_step_default_days).as_dict()
    if as_json:
        print_json(data)
        return
    console.print(f"Next step {step_id} ({data['type']}) is now {data['status']}.")


@steps_app.command("done")
def done(step_id: int, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Mark a next step done: it leaves Today."""
    _close(step_id, "done", as_user, as_json)


@steps_app.command("cancel")
def cancel(step_id: int, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Cancel a next step that will not happen: it leaves Today."""
    _close(step_id, "cancel", as_user, as_json)
