"""The compose page: a rep picks what to write, reviews and edits it, and sends it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ember.api.deps import Db, check_csrf
from ember.compose import service as compose_service
from ember.compose.rules import SITUATIONS
from ember.contacts.service import get_contact
from ember.errors import EmberError, InvalidInput, Problem
from ember.ids import RecordId
from ember.outbound import service as outbound_service
from ember.outbound.mail import SmtpConfig
from ember.team_settings.effective import settings_for
from ember.users.access import Actor
from ember.validation import parse_datetime
from ember.web.desk import PageUser
from ember.web.templating import render

router = APIRouter(include_in_schema=False)

CHOICES = (("note", None, "Thank-you note"), ("opener", None, "Call opener"), ("brief", None, "Call-prep brief"),
           *(("email", s, f"Email: {s.replace('-', ' ')}") for s in SITUATIONS),
           ("voicemail", None, "Voicemail + email"))


def _local_input(moment: datetime | None, zone: str) -> str:
    """An instant as the value of a datetime-local field, in the rep's own time zone."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _page(request: Request, db: Db, actor: Actor, contact_id: int, kind: str, situation: str | None,
          status_code: int = 200, **extra: Any) -> Response:
    contact = get_contact(db, actor, contact_id)
    composed = compose_service.compose(db, actor, kind=kind, contact_id=contact_id, situation=situation or None,
                                       nudge_after_days=request.app.state.settings.cadence.nudge_after_days)
    email = composed.email or (composed.rendered if composed.rendered.subject is not None else None)
    form = {"subject": email.subject if email else "", "body": email.text if email else "",
            "invite": _local_input(composed.meeting_at, actor.timezone)}
    form.update(extra.pop("form", {}))
    return render(request, "compose.html", status_code=status_code, contact=contact, composed=composed,
                  choices=CHOICES, kind=kind, situation=composed.situation or situation or "", form=form,
                  outbound=outbound_service.history(db, actor, contact_id), zone=actor.timezone, **extra)


def _invite(when: str, asked: bool, zone: str) -> datetime | None:
    """A calendar invite goes with the email only when the rep ticked the box, and then needs a time."""
    if not asked:
        return None
    if not when.strip():
        raise InvalidInput("pick the meeting's time for the invite", [Problem(
            "invite", "is empty while 'attach a meeting invite' is ticked", "fill in the time or untick the box")])
    return parse_datetime(when, zone)


@router.get("/contacts/{contact_id}/compose")
def compose_page(request: Request, db: Db, actor: PageUser, contact_id: RecordId, kind: str = "note",
                 situation: str | None = None) -> Response:
    return _page(request, db, actor, contact_id, kind, situation)


@router.post("/contacts/{contact_id}/send")
def send_form(
    request: Request, db: Db, actor: PageUser, contact_id: RecordId, subject: Annotated[str, Form()],
    body: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "", invite: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "note",
    situation: Annotated[str, Form()] = "", attach_invite: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    form = {"subject": subject, "body": body, "invite": invite, "attach_invite": attach_invite == "1"}
    try:
        invite_at = _invite(invite, attach_invite == "1", actor.timezone)
        settings = settings_for(db, request.app.state.settings, actor.team_id)
        result = outbound_service.send(db, actor, contact_id=contact_id, subject=subject, body=body,
                                       invite_at=invite_at, smtp=SmtpConfig.from_settings(settings),
                                       cadence=settings.cadence.planning())
    except (EmberError, ValueError) as exc:
        db.rollback()
        message = exc.message if isinstance(exc, EmberError) else str(exc)
        return _page(request, db, actor, contact_id, kind, situation, 422, error=message, form=form)
    if result.status == "refused":
        return _page(request, db, actor, contact_id, kind, situation, 409, error=f"Not sent: {result.reason}",
                     form=form)
    if result.status in ("queued", "failed"):
        # The mail server did not take it: say why in plain words, keep the rep's text, offer to try again.
        return _page(request, db, actor, contact_id, kind, situation, 502, error=f"Not sent: {result.reason}",
                     form=form, retry=True)
    request.session["flash"] = f"Sent: {result.reason}"
    suffix = f"&situation={situation}" if situation else ""
    return RedirectResponse(f"/contacts/{contact_id}/compose?kind={kind}{suffix}", status_code=303)
