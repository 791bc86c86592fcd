"""Queries for recorded calls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, exists, select
from sqlalchemy.orm import Session, aliased

from ember.models import Call, Contact, Deal, NextStep, Touch, User
from ember.users.access import Actor, owner_scope


def team_user_names(session: Session) -> list[str]:
    return list(session.scalars(select(User.name)))


def kept_next_steps(session: Session, call_id: int) -> list[NextStep]:
    """Next steps of a call that a rep has already acted on (done or dismissed)."""
    return list(session.scalars(select(NextStep).where(NextStep.call_id == call_id, NextStep.status != "open")))


def delete_open_next_steps(session: Session, call_id: int) -> None:
    session.execute(delete(NextStep).where(NextStep.call_id == call_id, NextStep.status == "open"))


_contact = aliased(Contact)
_touch = aliased(Touch)


def visible_calls(session: Session, actor: Actor, *, limit: int, offset: int) -> list[Row[Any]]:
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
    figures = (Call.analysis["rep_talk_ratio"].as_float(), Call.analysis[("questions", "rep")].as_integer(),
               Call.analysis["next_steps"], Call.analysis["benchmarks"])
    query = (select(Call.id, Call.duration_s, *figures, Touch.occurred_at, Touch.label, Contact.id,
                    Contact.first_name, Contact.last_name, Contact.email, Deal.id, Deal.name)
             .join(page, page.c.id == Call.id)
             .join(Touch, Touch.id == Call.touch_id).join(Contact, Contact.id == Touch.contact_id)
             .outerjoin(Deal, Deal.id == Touch.deal_id).order_by(page.c.at.desc(), Call.id.desc()))
    return list(session.execute(query))


def call_place(session: Session, call_id: int) -> tuple[Touch, Contact, Deal | None] | None:
    """The touch, contact and deal a call belongs to."""
    return session.execute(select(Touch, Contact, Deal).join(Contact, Contact.id == Touch.contact_id)
                           .outerjoin(Deal, Deal.id == Touch.deal_id)
                           .join(Call, Call.touch_id == Touch.id).where(Call.id == call_id)).tuples().first()


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
