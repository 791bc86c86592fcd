"""Queries for touches and what planning needs to know about a contact."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ember.models import Deal, DealStakeholder, Touch
from ember.vocabulary import CLOSED_STAGES


def touch_by_id(session: Session, touch_id: int) -> Touch | None:
    return session.get(Touch, touch_id)


def set_labels(session: Session, labels: dict[int, str]) -> None:
    if labels:
        session.execute(update(Touch), [{"id": id_, "label": label} for id_, label in labels.items()])


def current_labels(session: Session, contact_id: int) -> dict[int, str | None]:
    return dict(session.execute(select(Touch.id, Touch.label).where(Touch.contact_id == contact_id)).all())


def default_deal_id(session: Session, contact_id: int) -> int | None:
    """The contact's most recent open deal: the one a touch without --deal belongs to."""
    open_stages = [s.value for s in CLOSED_STAGES]
    return session.scalar(
        select(Deal.id).join(DealStakeholder, DealStakeholder.deal_id == Deal.id)
        .where(DealStakeholder.contact_id == contact_id, Deal.stage.not_in(open_stages))
        .order_by(Deal.created_at.desc(), Deal.id.desc()).limit(1)
    )


def touches_of_contact(session: Session, contact_id: int, limit: int = 200) -> list[Touch]:
    return list(session.scalars(
        select(Touch).where(Touch.contact_id == contact_id).order_by(Touch.occurred_at.desc(), Touch.id.desc())
        .limit(limit)
    ))
