"""Pages for the daily work: the Today queue and contacts with their touch log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ember.api.deps import Db, check_csrf
from ember.cadence import repository as cadence_repository
from ember.cadence.timing import zone
from ember.contacts.schemas import ContactFields
from ember.contacts.service import get_contact, list_contacts, update_contact
from ember.errors import EmberError
from ember.ids import RecordId
from ember.overview.service import overview
from ember.team_settings.effective import settings_for
from ember.touches.service import log_touch
from ember.users.access import Actor
from ember.validation import parse_datetime
from ember.vocabulary import Channel, ContactStatus, Outcome
from ember.web.contact_pages import FIELDS, account_choices, choice, form_choices, invalid_fields
from ember.web.desk import PageUser
from ember.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/contacts")
def contacts_page(request: Request, db: Db, actor: PageUser, q: str | None = None,
                  status: str | None = None) -> Response:
    rows = list_contacts(db, actor, status=status or None, search=q or None, limit=200)
    return render(request, "contacts.html", contacts=rows, q=q or "", status=status or "")


def _contact_context(request: Request, db: Db, actor: Actor, contact_id: int) -> dict[str, Any]:
    settings = settings_for(db, request.app.state.settings, actor.team_id)
    view = overview(db, actor, contact_id, our_company=settings.today.company_name,
                    step_days=settings.today.next_step_default_days)
    return {"contact": view.contact, "view": view, "plan": view.plan, "channels": [c.value for c in Channel],
            "outcomes": [o.value for o in Outcome], "zone": zone(actor.timezone),
            "accounts": account_choices(db, actor), **form_choices()}


@router.get("/contacts/{contact_id}")
def contact_page(request: Request, db: Db, actor: PageUser, contact_id: RecordId) -> Response:
    return render(request, "contact.html", **_contact_context(request, db, actor, contact_id))


@router.post("/contacts/{contact_id}/touches")
def log_touch_form(
    request: Request, db: Db, actor: PageUser, contact_id: RecordId, channel: Annotated[str, Form()],
    outcome: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "", occurred_at: Annotated[str, Form()] = "", notes: Annotated[str, Form()] = "",
    callback_at: Annotated[str, Form()] = "", confirm_date: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        logged = log_touch(
            db, actor, contact_id=contact_id, channel=channel, outcome=outcome, notes=notes or None,
            occurred_at=parse_datetime(occurred_at, actor.timezone) if occurred_at else None,
            callback_at=parse_datetime(callback_at, actor.timezone) if callback_at else None,
            settings=settings_for(db, request.app.state.settings, actor.team_id).cadence.planning(),
            confirm_date=bool(confirm_date),
        )
    except (EmberError, ValueError) as exc:
        db.rollback()
        message = exc.message if isinstance(exc, EmberError) else str(exc)
        problems = [str(p) for p in exc.problems] if isinstance(exc, EmberError) else []
        return render(request, "contact.html", status_code=422, error=message, problems=problems,
                      **_contact_context(request, db, actor, contact_id))
    plan = logged.planned.decision
    request.session["flash"] = (
        f"Logged {logged.touch.label} ({outcome}). "
        + (f"Next: {plan.plan.label.text} by {plan.plan.channel.value}." if plan.plan else plan.reason)
    )
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)


@router.post("/contacts/{contact_id}/edit")
async def edit_contact_form(request: Request, db: Db, actor: PageUser, contact_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    values: dict[str, Any] = {name: (str(form.get(name, "")).strip() or None) for name in FIELDS}
    values["first_name"] = values["first_name"] or ""
    values["last_name"] = values["last_name"] or ""
    current = get_contact(db, actor, contact_id)
    values["decision_role"] = values["decision_role"] or "unknown"
    if values["decision_role"] == current.decision_role:
        del values["decision_role"]  # unchanged: analysis may still refine it
    values["do_not_call"] = form.get("do_not_call") == "on"
    values["do_not_email"] = form.get("do_not_email") == "on"
    if form.get("do_not_contact") == "on":
        values["status"] = ContactStatus.DO_NOT_CONTACT.value
    elif current.status == ContactStatus.DO_NOT_CONTACT.value:
        values["status"] = ContactStatus.ACTIVE.value
    try:
        values["account_id"] = choice(str(form.get("account_id", "")), "account_id")
        try:
            fields = ContactFields(**values)
        except ValidationError as exc:
            raise invalid_fields(exc, "the contact was not changed") from None
        update_contact(db, actor, contact_id, fields)
        if values.get("status") == ContactStatus.DO_NOT_CONTACT.value:
            cadence_repository.cancel_planned(db, contact_id)  # nothing more is planned for them
    except EmberError as exc:
        db.rollback()
        errors = {p.where: f"{p.what}; {p.fix}" for p in reversed(exc.problems)}
        return render(request, "contact.html", status_code=exc.status_code if exc.status_code == 409 else 422,
                      error=exc.message, problems=[str(p) for p in exc.problems], errors=errors,
                      form_values={"decision_role": current.decision_role, **values},
                      **_contact_context(request, db, actor, contact_id))
    request.session["flash"] = "Contact saved."
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)
