"""Queries for next steps (the commitments made on calls)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ember.models import Contact, Deal, NextStep, User


@dataclass(frozen=True, slots=True)
class RepStep:
    """A rep's next step with the names the list shows beside it."""

    step: NextStep
    first_name: str | None
    last_name: str | None
    email: str | None
    deal_name: str | None

    @property
    def contact(self) -> str | None:
        return f"{self.first_name or ''} {self.last_name or ''}".strip() or self.email


def step_by_id(session: Session, step_id: int) -> NextStep | None:
    return session.get(NextStep, step_id)


def steps_of_rep(session: Session, rep_id: int, status: str | None, limit: int) -> list[RepStep]:
    query = (
        select(NextStep, Contact.first_name, Contact.last_name, Contact.email, Deal.name)
        .outerjoin(Contact, Contact.id == NextStep.contact_id)
        .outerjoin(Deal, Deal.id == NextStep.deal_id)
        .where(NextStep.rep_id == rep_id)
        .order_by(func.coalesce(NextStep.due_at, NextStep.created_at), NextStep.id).limit(limit)
    )
    if status:
        query = query.where(NextStep.status == status)
    return [RepStep(step, first, last, email, deal) for step, first, last, email, deal in session.execute(query)]


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
