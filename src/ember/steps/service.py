"""Next steps have a life: done, cancelled or given a new date, by their rep or the rep's manager.

An undated step is due a set number of days after it was agreed (``EMBER_NEXT_STEP_DEFAULT_DAYS``),
so it reaches Today and leaves it like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ember.errors import Conflict, InvalidInput, NotFound, Problem
from ember.models import NextStep, User
from ember.steps import repository
from ember.users.access import Actor, require_visible
from ember.users.repository import user_by_email, user_by_id
from ember.validation import parse_date, parse_enum
from ember.vocabulary import NextStepStatus

# A step re-dated to a day is due at the start of that working day, in the rep's time.
DUE_TIME = time(9)
# What a rep may set a step to; "open" again re-opens one closed by mistake.
CLOSING = {"done": NextStepStatus.DONE, "cancel": NextStepStatus.CANCELLED, "cancelled": NextStepStatus.CANCELLED,
           "reopen": NextStepStatus.OPEN, "open": NextStepStatus.OPEN}


def due_of(step_due: datetime | None, created_at: datetime, default_days: int) -> datetime:
    """When a step is due: its own date, or the default number of days after it was agreed."""
    return step_due if step_due is not None else created_at + timedelta(days=default_days)


@dataclass(frozen=True)
class StepView:
    id: int
    type: str
    owner_side: str
    status: str
    due_at: str | None
    due_is_default: bool
    due_phrase: str | None
    quote: str | None
    contact_id: int | None
    contact: str | None
    deal_id: int | None
    deal: str | None
    call_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def view(step: NextStep, contact: str | None, deal: str | None, default_days: int) -> StepView:
    due = due_of(step.due_at, step.created_at, default_days)
    return StepView(step.id, step.type, step.owner_side, step.status, due.isoformat(), step.due_at is None,
                    step.due_phrase, step.quote, step.contact_id, contact, step.deal_id, deal, step.call_id)


def _rep(session: Session, actor: Actor, rep_email: str | None) -> User:
    rep = user_by_email(session, rep_email) if rep_email else user_by_id(session, actor.id)
    require_visible(actor, rep, f"user {rep_email}")
    assert rep is not None  # require_visible refuses None
    return rep


def list_steps(session: Session, actor: Actor, *, rep_email: str | None = None, status: str | None = "open",
               default_days: int = 7, limit: int = 500) -> list[StepView]:
    """The steps of the actor (or, for managers, of a rep on their team)."""
    rep = _rep(session, actor, rep_email)
    if status:
        try:
            status = parse_enum(NextStepStatus, status).value
        except ValueError as exc:
            raise InvalidInput(f"unknown status {status!r}", [Problem("status", *str(exc).split("; ", 1))]) from exc
    rows = repository.steps_of_rep(session, rep.id, status, limit)
    return [view(row.step, row.contact, row.deal_name, default_days) for row in rows]


def get_step(session: Session, actor: Actor, step_id: int) -> NextStep:
    step = repository.step_by_id(session, step_id)
    if step is None:
        raise NotFound(f"next step {step_id} not found")
    require_visible(actor, repository.step_owner(session, step), f"next step {step_id}")
    return step


def set_status(session: Session, actor: Actor, step_id: int, action: str) -> NextStep:
    """Mark a step done, cancel it, or re-open it. Closing a closed step says so instead of pretending."""
    target = CLOSING.get(action)
    if target is None:
        raise InvalidInput(f"unknown action {action!r}", [Problem("action", f"{action!r} is not an action",
                                                                  "use done, cancel or reopen")])
    step = get_step(session, actor, step_id)
    if step.status == target.value:
        raise Conflict(f"next step {step_id} is already {target.value}")
    step.status = target.value
    session.flush()
    return step


def redate(session: Session, actor: Actor, step_id: int, due_at: datetime, *, now: datetime | None = None,
           confirm_past: bool = False) -> NextStep:
    """Give an open step a new due date. A date in the past is usually a slip of the picker, so it is
    refused unless the rep confirms it (a promise that was really due then, kept for the record)."""
    step = get_step(session, actor, step_id)
    if step.status != NextStepStatus.OPEN.value:
        raise Conflict(f"next step {step_id} is {step.status}; re-open it before giving it a new date")
    if due_at.tzinfo is None:
        raise InvalidInput("the new date has no time zone", [Problem("due_at", "has no time zone",
                                                                      "give an offset, like 2026-03-04T16:00+01:00")])
    today_there = (now or datetime.now(UTC)).astimezone(due_at.tzinfo).date()
    if due_at.date() < today_there and not confirm_past:  # a day before today where the date was given
        raise InvalidInput("the new date is in the past", [Problem(
            "due_at", f"{due_at:%Y-%m-%d} is in the past",
            "give today or a later date, or confirm that the past date is meant")])
    step.due_at = due_at
    session.flush()
    return step


def due_on(day: str, timezone: str) -> datetime:
    """The moment a step picked for a calendar day is due: that morning in the rep's own time zone."""
    try:
        picked = parse_date(day)
    except ValueError as exc:
        raise InvalidInput("the new date is not a date", [Problem("due", str(exc).split("; ")[0],
                                                                  "pick a day, like 2026-03-04")]) from None
    return datetime.combine(picked, DUE_TIME, tzinfo=ZoneInfo(timezone))
