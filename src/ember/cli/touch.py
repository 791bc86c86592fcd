"""`ember touch`: log a touch and see the plan it causes."""

from __future__ import annotations

import typer

from ember.cli.common import (
    AS_OPTION,
    JSON_OPTION,
    acting_on_contact,
    console,
    parse_when,
    print_json,
    transaction,
)
from ember.settings import get_settings
from ember.touches import service
from ember.touches.schemas import logged_dict

touch_app = typer.Typer(help="Log touches (calls, voicemails, emails...) and see the plan they cause.",
                        no_args_is_help=True)


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
            callback_at=parse_when(callback, "--callback"), settings=get_settings().cadence.planning(),
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
