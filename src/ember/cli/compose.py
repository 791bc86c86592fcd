"""`ember compose`: write a follow-up for a contact."""

from __future__ import annotations

import typer

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_on_contact, console, print_json, transaction
from ember.compose import service as compose_service
from ember.compose.rules import KINDS
from ember.settings import get_settings


def compose(
    kind: str = typer.Argument(..., help=f"What to write: {', '.join(KINDS)}."),
    contact: str = typer.Option(..., "--contact", help="The contact's email."),
    situation: str | None = typer.Option(None, "--situation",
                                         help="For emails: post-meeting, nudge, referral or trigger."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Write a follow-up from the last analysed call (or your notes); placeholders mark missing facts."""
    with transaction() as session:
        actor, target = acting_on_contact(session, as_user, contact)
        composed = compose_service.compose(session, actor, kind=kind, contact_id=target.id, situation=situation,
                                           nudge_after_days=get_settings().cadence.nudge_after_days)
        data = composed.to_dict()
    if as_json:
        print_json({key: data[key] for key in ("subject", "text", "facts", "placeholders", "email") if key in data})
        return
    if "subject" in data:
        console.print(f"[bold]Subject:[/] {data['subject']}\n", highlight=False)
    console.print(data["text"], highlight=False, markup=False)
    if "email" in data:
        console.print(f"[bold]Email, subject:[/] {data['email']['subject']}\n", highlight=False)
        console.print(data["email"]["text"], highlight=False, markup=False)
    if data["placeholders"]:
        console.print(f"[yellow]Fill in before sending:[/] {', '.join(data['placeholders'])}", highlight=False)
    console.print(f"[dim]{len(data['facts'])} fact(s) from the call used.[/]")
