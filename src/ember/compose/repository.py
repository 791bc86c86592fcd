"""Queries for follow-up writing: the last call, notes, stakeholders, stories, edited templates."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.models import Account, Call, ComposeTemplate, Contact, Deal, ProofPoint, Touch


def last_analysed_call(session: Session, contact_id: int) -> Call | None:
    return session.scalar(
        select(Call).join(Touch, Touch.id == Call.touch_id)
        .where(Touch.contact_id == contact_id, Call.analysis.is_not(None))
        .order_by(Touch.occurred_at.desc(), Call.id.desc()).limit(1)
    )


def last_touch_with_outcome(session: Session, contact_id: int, outcomes: Iterable[str]) -> Touch | None:
    return session.scalar(
        select(Touch).where(Touch.contact_id == contact_id, Touch.outcome.in_(list(outcomes)))
        .order_by(Touch.occurred_at.desc(), Touch.id.desc()).limit(1)
    )


def touch_notes(session: Session, contact_id: int, limit: int = 5) -> list[str]:
    """The contact's latest notes, oldest first; "Recorded call" markers are Ember's, not the rep's."""
    rows = session.scalars(
        select(Touch.notes).where(Touch.contact_id == contact_id, Touch.notes.is_not(None),
                                  Touch.notes.not_like("Recorded call:%"))
        .order_by(Touch.occurred_at.desc(), Touch.id.desc()).limit(limit)
    )
    return [note for note in reversed(list(rows)) if note and note.strip()]


def account_of(session: Session, contact: Contact) -> Account | None:
    return session.get(Account, contact.account_id) if contact.account_id else None


def deal(session: Session, deal_id: int | None) -> Deal | None:
    return session.get(Deal, deal_id) if deal_id else None


def contact_name(session: Session, contact_id: int | None) -> str | None:
    contact = session.get(Contact, contact_id) if contact_id else None
    return contact.full_name if contact else None


def proof_points(session: Session) -> list[ProofPoint]:
    return list(session.scalars(select(ProofPoint).order_by(ProofPoint.id)))


def template_override(session: Session, name: str) -> ComposeTemplate | None:
    return session.scalar(select(ComposeTemplate).where(ComposeTemplate.name == name))


def template_overrides(session: Session) -> dict[str, ComposeTemplate]:
    return {row.name: row for row in session.scalars(select(ComposeTemplate))}
