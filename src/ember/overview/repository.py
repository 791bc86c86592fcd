"""Reads behind the contact page: the contact's deals and stakeholders, and one timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.db import typed_rows
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


@dataclass(frozen=True, slots=True)
class Stakeholder:
    """A person on one of the contact's deals, with the role there and where it came from."""

    deal_id: int
    contact_id: int
    first_name: str
    last_name: str
    deal_role: str
    contact_role: str
    evidence: str | None
    role_source: str | None


def stakeholders_of(session: Session, deal_ids: list[int]) -> list[Stakeholder]:
    """Every stakeholder of these deals, by last name."""
    if not deal_ids:
        return []
    return typed_rows(Stakeholder, session.execute(
        select(DealStakeholder.deal_id, Contact.id.label("contact_id"), Contact.first_name, Contact.last_name,
               DealStakeholder.role.label("deal_role"), Contact.decision_role.label("contact_role"),
               Contact.decision_role_evidence.label("evidence"), Contact.decision_role_source.label("role_source"))
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


@dataclass(frozen=True, slots=True)
class TouchEntry:
    occurred_at: datetime
    label: str | None
    channel: str
    outcome: str
    notes: str | None
    call_id: int | None  # the recorded call the touch was logged from
    touch_id: int


def touches(session: Session, contact_id: int) -> list[TouchEntry]:
    return typed_rows(TouchEntry, session.execute(
        select(Touch.occurred_at, Touch.label, Touch.channel, Touch.outcome, Touch.notes, Call.id.label("call_id"),
               Touch.id.label("touch_id"))
        .outerjoin(Call, Call.touch_id == Touch.id)
        .where(Touch.contact_id == contact_id).order_by(Touch.occurred_at.desc()).limit(TIMELINE_LIMIT)
    ))


@dataclass(frozen=True, slots=True)
class EmailEntry:
    created_at: datetime
    sent_at: datetime | None
    subject: str
    status: str


def emails(session: Session, contact_id: int) -> list[EmailEntry]:
    return typed_rows(EmailEntry, session.execute(
        select(OutboundMessage.created_at, OutboundMessage.sent_at, OutboundMessage.subject, OutboundMessage.status)
        .where(OutboundMessage.contact_id == contact_id).order_by(OutboundMessage.created_at.desc())
        .limit(TIMELINE_LIMIT)
    ))


@dataclass(frozen=True, slots=True)
class MailEntry:
    received_at: datetime
    kind: str
    subject: str | None
    quote: str
    reason: str
    touch_id: int | None  # the touch the message was logged as
    outbound_message_id: int | None  # Ember's own email, where the mailbox holds a copy of it


def mails(session: Session, contact_id: int) -> list[MailEntry]:
    """Messages of the rep's mailbox about this contact: replies, out-of-office notes, bounces, sent mail."""
    return typed_rows(MailEntry, session.execute(
        select(InboundMail.received_at, InboundMail.kind, InboundMail.subject, InboundMail.quote, InboundMail.reason,
               InboundMail.touch_id, InboundMail.outbound_message_id)
        .where(InboundMail.contact_id == contact_id).order_by(InboundMail.received_at.desc()).limit(TIMELINE_LIMIT)
    ))


@dataclass(frozen=True, slots=True)
class EventEntry:
    occurred_at: datetime
    type: str
    url: str | None
    source: str


def events(session: Session, contact_id: int) -> list[EventEntry]:
    return typed_rows(EventEntry, session.execute(
        select(InboundEvent.occurred_at, InboundEvent.type, InboundEvent.url, InboundEvent.source)
        .where(InboundEvent.contact_id == contact_id).order_by(InboundEvent.occurred_at.desc()).limit(TIMELINE_LIMIT)
    ))


@dataclass(frozen=True, slots=True)
class AlertEntry:
    created_at: datetime
    summary: str
    seen_at: datetime | None


def alerts(session: Session, contact_id: int) -> list[AlertEntry]:
    return typed_rows(AlertEntry, session.execute(
        select(Alert.created_at, Alert.summary, Alert.seen_at)
        .where(Alert.contact_id == contact_id).order_by(Alert.created_at.desc()).limit(TIMELINE_LIMIT)
    ))
