"""Queries for next steps (the commitments made on calls)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ember.models import Contact, Deal, NextStep, User


def steps_of_rep(session: Session, rep_id: int, status: str | None, limit: int) -> list[Any]:
    query = (
        select(NextStep, Contact.first_name, Contact.last_name, Contact.email, Deal.name)
        .outerjoin(Contact, Contact.id == NextStep.contact_id)
        .outerjoin(Deal, Deal.id == NextStep.deal_id)
        .where(NextStep.rep_id == rep_id)
        .order_by(func.coalesce(NextStep.due_at, NextStep.created_at), NextStep.id).limit(limit)
    )
    if status:
        query = query.where(NextStep.status == status)
    return list(session.execute(query))


def steps_of_contact(session: Session, contact_id: int) -> list[NextStep]:
    return list(session.scalars(
        select(NextStep).where(NextStep.contact_id == contact_id)
        .order_by(func.coalesce(NextStep.due_at, NextStep.created_at).desc(), NextStep.id.desc())
    ))


def step_owner(session: Session, step: NextStep) -> User | None:
    """Whose step it is: the rep on it, else the owner of its contact."""
    if step.rep_id is not None:
        return session.get(User, step.rep_id)
    if step.contact_id is None:
        return None
    return session.scalar(select(User).join(Contact, Contact.owner_id == User.id).where(Contact.id == step.contact_id))
