"""Queries for recorded calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, aliased

from ember.db import typed_rows
from ember.models import Call, Contact, Deal, NextStep, Touch, User
from ember.users.access import Actor
from ember.users.repository import owner_scope


@dataclass(frozen=True, slots=True)
class CallLine:
    """A call as the list shows it: who it was with, and the figures read out of its analysis."""

    call_id: int
    duration_s: float | None
    rep_talk_ratio: float | None
    rep_questions: int | None
    next_steps: list[Any] | None
    benchmarks: list[dict[str, Any]] | None
    occurred_at: datetime
    label: str | None
    contact_id: int
    first_name: str
    last_name: str
    email: str | None
    deal_id: int | None
    deal_name: str | None


@dataclass(frozen=True, slots=True)
class CallPlace:
    """Where a call belongs: its touch, the contact and the deal (if any)."""

    touch: Touch
    contact: Contact
    deal: Deal | None


def call_by_id(session: Session, call_id: int) -> Call | None:
    return session.get(Call, call_id)


def team_user_names(session: Session) -> list[str]:
    return list(session.scalars(select(User.name)))


def kept_next_steps(session: Session, call_id: int) -> list[NextStep]:
    """Next steps of a call that a rep has already acted on (done or dismissed)."""
    return list(session.scalars(select(NextStep).where(NextStep.call_id == call_id, NextStep.status != "open")))


def delete_open_next_steps(session: Session, call_id: int) -> None:
    session.execute(delete(NextStep).where(NextStep.call_id == call_id, NextStep.status == "open"))


_contact = aliased(Contact)
_touch = aliased(Touch)


def visible_calls(session: Session, actor: Actor, *, limit: int, offset: int) -> list[CallLine]:
    """Calls on contacts the actor may see, newest first, with who the call was with."""
    # The page's ids are picked first, from the calls alone: the stored analyses are large, and only
    # the page's few are opened for the figures the list shows. Time and owner are read through each
    # call's own touch, so the database walks the calls (far fewer than the touches of a rep with
    # thousands of deals), never a whole table of touches.
    at = select(_touch.occurred_at).where(_touch.id == Call.touch_id).scalar_subquery()
    visible = exists().where(_touch.id == Call.touch_id, _contact.id == _touch.contact_id,
                             owner_scope(actor, _contact.owner_id))
    page = (select(Call.id, at.label("at")).where(visible).order_by(at.desc(), Call.id.desc())
            .limit(limit).offset(offset).subquery())
    figures = (Call.analysis["rep_talk_ratio"].as_float().label("rep_talk_ratio"),
               Call.analysis[("questions", "rep")].as_integer().label("rep_questions"),
               Call.analysis["next_steps"].label("next_steps"), Call.analysis["benchmarks"].label("benchmarks"))
    query = (select(Call.id.label("call_id"), Call.duration_s, *figures, Touch.occurred_at, Touch.label,
                    Contact.id.label("contact_id"), Contact.first_name, Contact.last_name, Contact.email,
                    Deal.id.label("deal_id"), Deal.name.label("deal_name"))
             .join(page, page.c.id == Call.id)
             .join(Touch, Touch.id == Call.touch_id).join(Contact, Contact.id == Touch.contact_id)
             .outerjoin(Deal, Deal.id == Touch.deal_id).order_by(page.c.at.desc(), Call.id.desc()))
    return typed_rows(CallLine, session.execute(query))


def call_place(session: Session, call_id: int) -> CallPlace | None:
    """The touch, contact and deal a call belongs to."""
    query = (select(Touch, Contact, Deal).join(Contact, Contact.id == Touch.contact_id)
             .outerjoin(Deal, Deal.id == Touch.deal_id).join(Call, Call.touch_id == Touch.id).where(Call.id == call_id))
    for touch, contact, deal in session.execute(query):
        return CallPlace(touch, contact, deal)
    return None


def steps_of_call(session: Session, call_id: int) -> list[NextStep]:
    return list(session.scalars(select(NextStep).where(NextStep.call_id == call_id)
                                .order_by(NextStep.start_s, NextStep.id)))


def recent_contacts(session: Session, actor: Actor, limit: int = 100) -> list[Contact]:
    """The contacts the actor touched last: the likely people a new call was with. Read from the
    newest touches by index, so a rep with years of history costs no more than a new one."""
    recent = session.scalars(select(Touch.contact_id).where(Touch.rep_id == actor.id)
                             .order_by(Touch.occurred_at.desc()).limit(limit * 4))
    ids = list(dict.fromkeys(recent))[:limit]
    if not ids:
        return []
    found = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(ids),
                                                                    owner_scope(actor, Contact.owner_id)))}
    return [found[i] for i in ids if i in found]
