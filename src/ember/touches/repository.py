"""Queries for touches and what planning needs to know about a contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ember.cadence.attempts import TouchFact
from ember.db import typed_rows
from ember.models import Deal, DealStakeholder, MessageVariant, Touch
from ember.vocabulary import CLOSED_STAGES


def touch_by_id(session: Session, touch_id: int) -> Touch | None:
    return session.get(Touch, touch_id)


def set_labels(session: Session, labels: dict[int, str]) -> None:
    if labels:
        session.execute(update(Touch), [{"id": id_, "label": label} for id_, label in labels.items()])


@dataclass(frozen=True, slots=True)
class _LabelledFact:
    id: int
    occurred_at: datetime
    outcome: str
    channel: str
    deal_id: int | None
    variant_key: str | None
    callback_at: datetime | None
    label: str | None


@dataclass(frozen=True, slots=True)
class LabelledHistory:
    """A contact's touches as the labelling rules read them, and the labels they carry now."""

    facts: list[TouchFact]
    labels: dict[int, str | None]


def labelled_history(session: Session, contact_id: int) -> LabelledHistory:
    rows = typed_rows(_LabelledFact, session.execute(
        select(Touch.id, Touch.occurred_at, Touch.outcome, Touch.channel, Touch.deal_id,
               MessageVariant.key.label("variant_key"), Touch.callback_at, Touch.label)
        .outerjoin(MessageVariant, MessageVariant.id == Touch.message_variant_id)
        .where(Touch.contact_id == contact_id)))
    return LabelledHistory(
        [TouchFact(r.id, r.occurred_at, r.outcome, r.channel, r.deal_id, r.variant_key, r.callback_at) for r in rows],
        {r.id: r.label for r in rows})


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
