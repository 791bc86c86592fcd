"""Pages for the daily work: the Today queue and contacts with their touch log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ember.api.deps import Db, check_csrf
from ember.cadence import repository as cadence_repository
from ember.cadence.config import cadence_settings
from ember.cadence.timing import zone
from ember.contacts.service import get_contact, list_contacts
from ember.errors import EmberError
from ember.ids import RecordId
from ember.messages.rules import fill
from ember.messages.service import message_values
from ember.models import MessageVariant
from ember.team_settings.effective import settings_for
from ember.touches import repository as touch_repository
from ember.touches.service import log_touch
from ember.users.access import Actor
from ember.validation import parse_datetime
from ember.vocabulary import Channel, Outcome
from ember.web.pages import page_actor
from ember.web.templating import render

router = APIRouter(include_in_schema=False)


def _login_needed() -> Response:
    return RedirectResponse("/login", status_code=303)


@router.get("/contacts")
def contacts_page(request: Request, db: Db, q: str | None = None, status: str | None = None) -> Response:
    actor = page_actor(request, db)
    if actor is None:
        return _login_needed()
    rows = list_contacts(db, actor, status=status or None, search=q or None, limit=200)
    return render(request, "contacts.html", contacts=rows, q=q or "", status=status or "")


def _contact_context(db: Db, actor: Actor, contact_id: int) -> dict[str, Any]:
    contact = get_contact(db, actor, contact_id)
    plan = cadence_repository.open_plan(db, contact.id)
    variant = db.get(MessageVariant, plan.message_variant_id) if plan and plan.message_variant_id else None
    message = fill(variant.body, message_values(db, contact, actor.name)) if variant else None
    return {"contact": contact, "touches": touch_repository.touches_of_contact(db, contact.id), "plan": plan,
            "plan_variant": variant, "plan_message": message, "channels": [c.value for c in Channel],
            "outcomes": [o.value for o in Outcome], "zone": zone(actor.timezone)}


@router.get("/contacts/{contact_id}")
def contact_page(request: Request, db: Db, contact_id: RecordId) -> Response:
    actor = page_actor(request, db)
    if actor is None:
        return _login_needed()
    return render(request, "contact.html", **_contact_context(db, actor, contact_id))


@router.post("/contacts/{contact_id}/touches")
def log_touch_form(
    request: Request, db: Db, contact_id: RecordId, channel: Annotated[str, Form()], outcome: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "", occurred_at: Annotated[str, Form()] = "", notes: Annotated[str, Form()] = "",
    callback_at: Annotated[str, Form()] = "",
) -> Response:
    actor = page_actor(request, db)
    if actor is None:
        return _login_needed()
    check_csrf(request, csrf)
    try:
        logged = log_touch(
            db, actor, contact_id=contact_id, channel=channel, outcome=outcome, notes=notes or None,
            occurred_at=parse_datetime(occurred_at, actor.timezone) if occurred_at else None,
            callback_at=parse_datetime(callback_at, actor.timezone) if callback_at else None,
            settings=cadence_settings(settings_for(db, request.app.state.settings, actor.team_id)),
        )
    except (EmberError, ValueError) as exc:
        db.rollback()
        message = exc.message if isinstance(exc, EmberError) else str(exc)
        problems = [str(p) for p in exc.problems] if isinstance(exc, EmberError) else []
        return render(request, "contact.html", status_code=422, error=message, problems=problems,
                      **_contact_context(db, actor, contact_id))
    plan = logged.planned.decision
    request.session["flash"] = (
        f"Logged {logged.touch.label} ({outcome}). "
        + (f"Next: {plan.plan.label.text} by {plan.plan.channel.value}." if plan.plan else plan.reason)
    )
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)
