"""Queries for touches and what planning needs to know about a contact."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ember.models import Account, Contact, Deal, DealStakeholder, MessageVariant, Touch, TouchOutcome
from ember.touches.rules import TouchFact
from ember.vocabulary import CLOSED_STAGES


def touch_facts(session: Session, contact_id: int) -> list[TouchFact]:
    rows = session.execute(
        select(Touch.id, Touch.occurred_at, Touch.outcome, Touch.channel, Touch.deal_id, MessageVariant.key,
               Touch.callback_at)
        .outerjoin(MessageVariant, MessageVariant.id == Touch.message_variant_id)
        .where(Touch.contact_id == contact_id)
    )
    return [TouchFact(id=r[0], occurred_at=r[1], outcome=r[2], channel=r[3], deal_id=r[4], variant_key=r[5],
                      callback_at=r[6]) for r in rows]


def custom_outcomes(session: Session, team_id: int | None) -> dict[str, bool]:
    query = select(TouchOutcome.name, TouchOutcome.counts_as_conversation)
    query = query.where((TouchOutcome.team_id.is_(None)) | (TouchOutcome.team_id == team_id))
    return {name: counts for name, counts in session.execute(query)}


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


def contact_timezone(session: Session, contact: Contact) -> str:
    if contact.timezone:
        return contact.timezone
    if contact.account_id is not None:
        zone = session.scalar(select(Account.timezone).where(Account.id == contact.account_id))
        if zone:
            return zone
    return "UTC"


def contact_country(session: Session, contact: Contact) -> str | None:
    if contact.country or contact.account_id is None:
        return contact.country
    return session.scalar(select(Account.country).where(Account.id == contact.account_id))


def touches_of_contact(session: Session, contact_id: int, limit: int = 200) -> list[Touch]:
    return list(session.scalars(
        select(Touch).where(Touch.contact_id == contact_id).order_by(Touch.occurred_at.desc(), Touch.id.desc())
        .limit(limit)
    ))
