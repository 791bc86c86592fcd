"""Reads behind the contact page: the contact's deals and stakeholders, and one timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.models import (
    Account,
    Alert,
    Call,
    Contact,
    Deal,
    DealStakeholder,
    InboundEvent,
    InboundMail,
    OutboundMessage,
    PlannedTouch,
    Touch,
)
from ember.vocabulary import PlannedTouchStatus

TIMELINE_LIMIT = 100


def account_of(session: Session, contact: Contact) -> Account | None:
    return session.get(Account, contact.account_id) if contact.account_id else None


def deals_of(session: Session, contact_id: int) -> list[Deal]:
    return list(session.scalars(
        select(Deal).join(DealStakeholder, DealStakeholder.deal_id == Deal.id)
        .where(DealStakeholder.contact_id == contact_id).order_by(Deal.created_at.desc())
    ))


def stakeholders_of(session: Session, deal_ids: list[int]) -> list[Any]:
    """(deal id, contact id, name, role on the deal, contact's role, evidence, where the role came from)
    for every stakeholder."""
    if not deal_ids:
        return []
    return list(session.execute(
        select(DealStakeholder.deal_id, Contact.id, Contact.first_name, Contact.last_name, DealStakeholder.role,
               Contact.decision_role, Contact.decision_role_evidence, Contact.decision_role_source)
        .join(Contact, Contact.id == DealStakeholder.contact_id)
        .where(DealStakeholder.deal_id.in_(deal_ids)).order_by(Contact.last_name, Contact.id)
    ))


def open_multithread_reasons(session: Session, deal_ids: list[int]) -> list[str]:
    if not deal_ids:
        return []
    return list(session.scalars(
        select(PlannedTouch.reason).where(PlannedTouch.deal_id.in_(deal_ids), PlannedTouch.kind == "multithread",
                                          PlannedTouch.status == PlannedTouchStatus.PLANNED.value)
    ))


def touches(session: Session, contact_id: int) -> list[Any]:
    return list(session.execute(
        select(Touch.occurred_at, Touch.label, Touch.channel, Touch.outcome, Touch.notes, Call.id, Touch.id)
        .outerjoin(Call, Call.touch_id == Touch.id)
        .where(Touch.contact_id == contact_id).order_by(Touch.occurred_at.desc()).limit(TIMELINE_LIMIT)
    ))


def emails(session: Session, contact_id: int) -> list[Any]:
    return list(session.execute(
        select(OutboundMessage.created_at, OutboundMessage.sent_at, OutboundMessage.subject, OutboundMessage.status)
        .where(OutboundMessage.contact_id == contact_id).order_by(OutboundMessage.created_at.desc())
        .limit(TIMELINE_LIMIT)
    ))


def mails(session: Session, contact_id: int) -> list[Any]:
    """Messages of the rep's mailbox about this contact: replies, out-of-office notes, bounces, sent mail."""
    return list(session.execute(
        select(InboundMail.received_at, InboundMail.kind, InboundMail.subject, InboundMail.quote, InboundMail.reason,
               InboundMail.touch_id, InboundMail.outbound_message_id)
        .where(InboundMail.contact_id == contact_id).order_by(InboundMail.received_at.desc()).limit(TIMELINE_LIMIT)
    ))


def events(session: Session, contact_id: int) -> list[Any]:
    return list(session.execute(
        select(InboundEvent.occurred_at, InboundEvent.type, InboundEvent.url, InboundEvent.source)
        .where(InboundEvent.contact_id == contact_id).order_by(InboundEvent.occurred_at.desc()).limit(TIMELINE_LIMIT)
    ))


def alerts(session: Session, contact_id: int) -> list[Any]:
    return list(session.execute(
        select(Alert.created_at, Alert.summary, Alert.seen_at)
        .where(Alert.contact_id == contact_id).order_by(Alert.created_at.desc()).limit(TIMELINE_LIMIT)
    ))
