"""The Today worklist page and the actions on its rows.

Every action works as a plain form post (the page reloads with a message) and, with
htmx, in place: the row is replaced by what happened and what comes next.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ember.api.deps import Db, check_csrf
from ember.errors import EmberError
from ember.models import User
from ember.settings import Settings
from ember.steps import service as step_service
from ember.team_settings.effective import settings_for
from ember.today import worklist as work
from ember.touches.rules import possible_outcomes
from ember.touches.service import log_touch
from ember.users.access import Actor
from ember.users.service import visible_users
from ember.validation import parse_datetime
from ember.vocabulary import Channel, Outcome, Role
from ember.web.desk import PageUser
from ember.web.pages import back_to
from ember.web.templating import render

router = APIRouter(include_in_schema=False)
OUTCOME_WORDS = {o.value: o.value.replace("-", " ") for o in Outcome}


def _team(db: Db, actor: Actor) -> list[User]:
    if actor.role is Role.REP:
        return []
    return visible_users(db, actor)


def _settings(request: Request, db: Db, actor: Actor) -> Settings:
    """The settings of the user's team (the desk may have changed some)."""
    return settings_for(db, request.app.state.settings, actor.team_id)


def _options(settings: Settings) -> dict[str, Any]:
    return {"stale_days": settings.today.stale_overdue_days, "step_days": settings.today.next_step_default_days,
            "our_company": settings.today.company_name}


def _common(actor: Actor) -> dict[str, Any]:
    return {"channels": [c.value for c in Channel], "outcome_words": OUTCOME_WORDS,
            "outcomes_for": {c.value: possible_outcomes(c.value) for c in Channel},
            "labels": {k: v[0] for k, v in work.LABELS.items()}, "snooze_choices": _snooze_choices(actor)}


def _snooze_choices(actor: Actor) -> list[tuple[str, str]]:
    """(datetime-local value, words) for the usual snoozes, in the rep's own time."""
    here = ZoneInfo(actor.timezone)
    now = datetime.now(here)
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(9), tzinfo=here)
    monday = datetime.combine(now.date() + timedelta(days=7 - now.weekday()), time(9), tzinfo=here)
    choices = [(now + timedelta(hours=1), "In an hour"), (tomorrow, "Tomorrow 09:00"), (monday, "Monday 09:00")]
    return [(moment.strftime("%Y-%m-%dT%H:%M"), words) for moment, words in choices]


def _htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _done(request: Request, message: str, fragment: str, to: str = "/today", **context: Any) -> Response:
    """In place for htmx; otherwise back to Today (or the page the form came from) with the message on top."""
    if _htmx(request):
        return render(request, fragment, message=message, **context)
    request.session["flash"] = message
    return RedirectResponse(to, status_code=303)


def _failed(request: Request, exc: Exception, to: str = "/today") -> Response:
    message = exc.message if isinstance(exc, EmberError) else str(exc)
    problems = [str(p) for p in exc.problems] if isinstance(exc, EmberError) else []
    status = exc.status_code if isinstance(exc, EmberError) else 422
    if _htmx(request):
        page = render(request, "_today_error.html", status_code=status if status in (409, 422) else 422,
                      error=message, problems=problems)
        form = request.headers.get("HX-Trigger", "")
        if form.startswith("f-"):  # the message goes into the form that was sent; the row stays
            page.headers["HX-Retarget"] = f"#{form} .form-error"
            page.headers["HX-Reswap"] = "innerHTML"
        return page
    request.session["flash"] = f"Not done: {message}" + (f" ({'; '.join(problems)})" if problems else "")
    return RedirectResponse(to, status_code=303)


def _row_user(request: Request, actor: PageUser, csrf: Annotated[str, Form()] = "") -> Actor:
    """Who sends a row action: signed in (else the browser goes to log in) and with this session's form token."""
    check_csrf(request, csrf)
    return actor


RowUser = Annotated[Actor, Depends(_row_user)]


def _attempt(request: Request, db: Db, action: Callable[[], Response], to: str = "/today") -> Response:
    """Run a row action. When it is refused nothing it did is kept, and the row (or the page it goes
    back to) says why."""
    try:
        return action()
    except (EmberError, ValueError) as exc:
        db.rollback()
        return _failed(request, exc, to)


@router.get("/today")
def today_page(request: Request, db: Db, actor: PageUser, rep: str | None = None, channel: str | None = None,
               label: str | None = None, more: str | None = None) -> Response:
    filters = work.Filters.parse(channel, label)
    options = _options(_settings(request, db, actor))
    worklist = work.worklist(db, actor, rep or None, filters=filters, expand=more, **options)
    return render(request, "today.html", worklist=worklist, stale_days=options["stale_days"],
                  team=_team(db, actor), rep=rep or actor.email,
                  own=worklist.rep.id == actor.id, filters=filters, **_common(actor))


@router.get("/today/more")
def more_rows(request: Request, db: Db, actor: PageUser, group: str, offset: int = 0, rep: str | None = None,
              channel: str | None = None, label: str | None = None) -> Response:
    filters = work.Filters.parse(channel, label)
    options = _options(_settings(request, db, actor))
    found = work.more_rows(db, actor, group, offset, rep or None, filters=filters, **options)
    return render(request, "_today_rows.html", group=found, rep=rep or "", filters=filters, **_common(actor))


@router.post("/today/plans/{plan_id}/log")
def log_from_row(
    request: Request, db: Db, actor: RowUser, plan_id: int, channel: Annotated[str, Form()],
    outcome: Annotated[str, Form()] = "", notes: Annotated[str, Form()] = "", callback_at: Annotated[str, Form()] = "",
) -> Response:
    def log() -> Response:
        if not outcome:
            raise ValueError("choose what happened (the outcome) before logging")
        plan = work.open_planned(db, actor, plan_id)
        logged = log_touch(
            db, actor, contact_id=plan.contact_id, channel=channel, outcome=outcome, notes=notes.strip() or None,
            deal_id=plan.deal_id, settings=_settings(request, db, actor).cadence.planning(),
            callback_at=parse_datetime(callback_at, actor.timezone) if callback_at else None,
        )
        decision = logged.planned.decision
        nxt = decision.plan
        message = f"Logged {logged.touch.label} ({OUTCOME_WORDS.get(outcome, outcome)})."
        next_words = (f"Next: {nxt.label.text} by {nxt.channel.value}, {nxt.at:%a %d %b %H:%M} their time — "
                      f"{nxt.purpose}" if nxt else f"Nothing more planned: {decision.reason}")
        return _done(request, f"{message} {next_words}", "_today_result.html", contact_id=plan.contact_id,
                     next_words=next_words, logged=message)
    return _attempt(request, db, log)


@router.post("/today/plans/{plan_id}/snooze")
def snooze_row(request: Request, db: Db, actor: RowUser, plan_id: int,
               until: Annotated[str, Form()] = "") -> Response:
    def snooze() -> Response:
        if not until.strip():
            raise ValueError("choose when to be reminded again")
        plan = work.snooze(db, actor, plan_id, parse_datetime(until, actor.timezone))
        local = plan.due_at.astimezone(ZoneInfo(actor.timezone))
        return _done(request, f"Snoozed until {local:%a %d %b %H:%M}.", "_today_result.html",
                     contact_id=plan.contact_id, logged=f"Snoozed until {local:%a %d %b %H:%M} (your time).",
                     next_words="")
    return _attempt(request, db, snooze)


@router.post("/today/plans/{plan_id}/skip")
def skip_row(request: Request, db: Db, actor: RowUser, plan_id: int, reason: Annotated[str, Form()] = "") -> Response:
    def skip() -> Response:
        contact_id = work.open_planned(db, actor, plan_id).contact_id
        planned = work.skip(db, actor, plan_id, reason, settings=_settings(request, db, actor).cadence.planning())
        nxt = planned.decision.plan
        next_words = (f"Next: {nxt.label.text} by {nxt.channel.value}, {nxt.at:%a %d %b %H:%M} their time."
                      if nxt else f"Nothing more planned: {planned.decision.reason}")
        return _done(request, f"Skipped. {next_words}", "_today_result.html", contact_id=contact_id,
                     logged="Skipped.", next_words=next_words)
    return _attempt(request, db, skip)


@router.post("/today/steps/{step_id}/redate")
def redate_step(request: Request, db: Db, actor: RowUser, step_id: int, due: Annotated[str, Form()] = "",
                confirm_past: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:
    """A new due date from the picker: the step moves to that day in Today (or leaves it until then)."""
    to = back_to(back) or "/today"  # a step's form may come from its contact's, deal's or call's page

    def redate() -> Response:
        step = step_service.redate(db, actor, step_id, step_service.due_on(due, actor.timezone),
                                   confirm_past=bool(confirm_past))
        assert step.due_at is not None  # just given
        day = f"{step.due_at.astimezone(ZoneInfo(actor.timezone)):%a %d %b}"
        return _done(request, f"The next step is now due {day}.", "_today_result.html", to,
                     contact_id=step.contact_id, logged=f"Now due {day}.", next_words="")
    return _attempt(request, db, redate, to)


@router.post("/today/steps/{step_id}/{action}")
def close_step(request: Request, db: Db, actor: RowUser, step_id: int, action: str,
               back: Annotated[str, Form()] = "") -> Response:
    to = back_to(back) or "/today"

    def close() -> Response:
        step = step_service.set_status(db, actor, step_id, action)
        words = {"done": "Marked done", "cancelled": "Cancelled", "open": "Re-opened"}[step.status]
        leaves = "the next step leaves Today" if step.status != "open" else "the next step is back in Today when due"
        return _done(request, f"{words}: {leaves}.", "_today_result.html", to, contact_id=step.contact_id,
                     logged=f"{words}.", next_words="")
    return _attempt(request, db, close, to)


@router.post("/today/replan-overdue")
def replan_overdue(request: Request, db: Db, actor: RowUser) -> Response:
    settings = _settings(request, db, actor)
    count = work.replan_stale(db, actor, settings=settings.cadence.planning(),
                              stale_days=settings.today.stale_overdue_days,
                              now=datetime.now(UTC))
    request.session["flash"] = (f"Re-planned {count} contact{'s' if count != 1 else ''} with old overdue touches "
                                "into the coming call windows." if count else
                                "Nothing was overdue long enough to re-plan.")
    return RedirectResponse("/today", status_code=303)
