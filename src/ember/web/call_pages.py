"""Call pages: the list of calls, adding one from its transcript, and the picture of one call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ember.api.deps import Db, check_csrf
from ember.calls import service as call_service
from ember.calls.picture import METRIC_NAMES, metric_value
from ember.calls.service import analysis_thresholds
from ember.contacts.service import get_contact, get_contact_by_email
from ember.conversation import FORMAT_NAMES
from ember.deals.service import get_deal
from ember.errors import EmberError, InvalidInput, Problem
from ember.models import Contact, Deal
from ember.team_settings.effective import settings_for
from ember.users.access import Actor
from ember.validation import parse_datetime
from ember.web.desk import PageUser
from ember.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


@router.get("/calls")
def calls_page(request: Request, db: Db, actor: PageUser, page: int = 1) -> Response:
    page = max(1, min(page, 10_000))
    calls = call_service.list_calls(db, actor, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render(request, "calls.html", calls=calls[:PAGE_SIZE], has_more=len(calls) > PAGE_SIZE, page=page,
                  formats=FORMAT_NAMES, recent=call_service.recent_contacts(db, actor), zone=actor.timezone)


def _upload_page(request: Request, db: Db, actor: Actor, contact: Contact | None, deal: Deal | None,
                 status_code: int = 200, **extra: Any) -> Response:
    return render(request, "call_new.html", status_code=status_code, contact=contact, deal=deal,
                  formats=FORMAT_NAMES, recent=call_service.recent_contacts(db, actor), **extra)


@router.get("/calls/new")
def new_call_page(request: Request, db: Db, actor: PageUser, contact_id: int | None = None,
                  deal_id: int | None = None) -> Response:
    contact = get_contact(db, actor, contact_id) if contact_id else None
    deal = get_deal(db, actor, deal_id) if deal_id else None
    return _upload_page(request, db, actor, contact, deal)


def _who(db: Db, actor: Actor, contact_id: str, contact_email: str) -> Contact:
    if contact_id.strip().isdigit():
        return get_contact(db, actor, int(contact_id))
    if contact_email.strip():
        return get_contact_by_email(db, actor, contact_email.strip())
    raise InvalidInput("say who the call was with", [Problem("contact", "no contact was given",
                                                             "type the email address of the person on the call")])


@router.post("/calls")
def add_call_form(
    request: Request, db: Db, actor: PageUser, file: UploadFile, csrf: Annotated[str, Form()] = "",
    contact_id: Annotated[str, Form()] = "", contact_email: Annotated[str, Form()] = "",
    deal_id: Annotated[str, Form()] = "", format: Annotated[str, Form()] = "", at: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    settings = settings_for(db, request.app.state.settings, actor.team_id)  # the team's targets and cadence
    form = {"contact_id": contact_id, "contact_email": contact_email, "format": format, "at": at}
    contact = deal = None
    try:
        deal = get_deal(db, actor, int(deal_id)) if deal_id.strip().isdigit() else None
        contact = _who(db, actor, contact_id, contact_email)
        raw = file.file.read(settings.analysis.max_transcript_bytes + 1)  # never more than the limit
        recorded = call_service.add_uploaded_call(
            db, actor, raw=raw, filename=file.filename or "transcript", contact_id=contact.id,
            max_bytes=settings.analysis.max_transcript_bytes, settings=settings.cadence.planning(),
            thresholds=analysis_thresholds(settings.analysis), fmt=format or None, deal_id=deal.id if deal else None,
            at=parse_datetime(at, actor.timezone) if at.strip() else None)
    except (EmberError, ValueError) as exc:
        db.rollback()  # nothing of a bad file is kept
        message = exc.message if isinstance(exc, EmberError) else str(exc)
        problems = [str(p) for p in exc.problems] if isinstance(exc, EmberError) else []
        return _upload_page(request, db, actor, contact if contact_id else None, deal, 422, error=message,
                            problems=problems, form=form)
    steps, label = len(recorded.next_steps), recorded.logged.touch.label or "a conversation"
    request.session["flash"] = (f"Call with {contact.full_name} added: {label}, "
                                f"{steps} next step{'s' if steps != 1 else ''} found.")
    return RedirectResponse(f"/calls/{recorded.call.id}", status_code=303)


@router.get("/calls/{call_id}")
def call_page(request: Request, db: Db, actor: PageUser, call_id: int) -> Response:
    view = call_service.call_view(db, actor, call_id)
    return render(request, "call.html", view=view, a=view.analysis, pic=view.picture, zone=actor.timezone,
                  metric_names=METRIC_NAMES, metric_value=metric_value)


@router.post("/calls/{call_id}/sides")
def sides_form(request: Request, db: Db, actor: PageUser, call_id: int, rep: Annotated[str, Form()],
               csrf: Annotated[str, Form()] = "") -> Response:
    """The rep names which speaker was on our side; the call is analysed again from its transcript."""
    check_csrf(request, csrf)
    try:
        settings = settings_for(db, request.app.state.settings, actor.team_id)
        call_service.correct_sides(db, actor, call_id, call_service.SideChoice(reps=(rep,)),
                                   thresholds=analysis_thresholds(settings.analysis))
    except InvalidInput as exc:
        db.rollback()
        view = call_service.call_view(db, actor, call_id)
        return render(request, "call.html", status_code=422, view=view, a=view.analysis, pic=view.picture,
                      zone=actor.timezone, metric_names=METRIC_NAMES, metric_value=metric_value,
                      error=exc.message, problems=[str(p) for p in exc.problems])
    request.session["flash"] = f"{rep} is now on your side; the call was analysed again."
    return RedirectResponse(f"/calls/{call_id}", status_code=303)
