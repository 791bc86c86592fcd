"""Every query about the nurture list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from ember.db import typed_rows
from ember.models import Account, Alert, Contact, InboundEvent, NurtureMembership, TriggerRule, User
from ember.users.access import Actor
from ember.users.repository import owner_scope


@dataclass(frozen=True, slots=True)
class NurtureRow:
    """A contact on the list with why and since when (the open stretch's reason, note and start)."""

    contact_id: int
    first_name: str
    last_name: str
    email: str | None
    title: str | None
    company: str | None
    owner_email: str
    reason: str | None
    note: str | None
    started_at: datetime | None


@dataclass(frozen=True, slots=True)
class RecentEvent:
    contact_id: int
    type: str
    url: str | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class ContactAlert:
    contact_id: int
    summary: str
    created_at: datetime
    rule: str | None


def nurture_rows(session: Session, actor: Actor, *, with_email_only: bool = False, limit: int | None = None,
                 offset: int = 0) -> list[NurtureRow]:
    """Contacts on the list that the actor may see, with why and since when."""
    open_membership = aliased(NurtureMembership)
    latest = (select(open_membership.id).where(open_membership.contact_id == Contact.id,
                                               open_membership.ended_at.is_(None))
              .order_by(open_membership.started_at.desc()).limit(1).correlate(Contact).scalar_subquery())
    query = (
        select(Contact.id.label("contact_id"), Contact.first_name, Contact.last_name, Contact.email, Contact.title,
               Account.name.label("company"), User.email.label("owner_email"), NurtureMembership.reason,
               NurtureMembership.note, NurtureMembership.started_at)
        .join(User, User.id == Contact.owner_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .outerjoin(NurtureMembership, NurtureMembership.id == latest)
        .where(Contact.status == "nurture", owner_scope(actor, Contact.owner_id))
        .order_by(Contact.id)
    )
    if with_email_only:
        query = query.where(Contact.email.is_not(None))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return typed_rows(NurtureRow, session.execute(query))


def open_memberships(session: Session, contact_id: int) -> list[NurtureMembership]:
    return list(session.scalars(select(NurtureMembership).where(NurtureMembership.contact_id == contact_id,
                                                                NurtureMembership.ended_at.is_(None))))


def end_open(session: Session, contact_id: int, *, reason: str, now: Any, note: str | None = None) -> int:
    result = session.execute(
        update(NurtureMembership).where(NurtureMembership.contact_id == contact_id,
                                        NurtureMembership.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason, ended_note=note).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def memberships_of(session: Session, contact_ids: list[int]) -> list[NurtureMembership]:
    """Every stretch these contacts spent on the list, newest first."""
    if not contact_ids:
        return []
    return list(session.scalars(select(NurtureMembership).where(NurtureMembership.contact_id.in_(contact_ids))
                                .order_by(NurtureMembership.started_at.desc())))


def recent_events(session: Session, contact_ids: list[int], per_contact: int = 5) -> list[RecentEvent]:
    """The latest signals (page visits, opens, signups) of these contacts, a few each."""
    if not contact_ids:
        return []
    ranked = (select(InboundEvent.id, func.row_number().over(
        partition_by=InboundEvent.contact_id, order_by=InboundEvent.occurred_at.desc()).label("n"))
        .where(InboundEvent.contact_id.in_(contact_ids)).subquery())
    return typed_rows(RecentEvent, session.execute(
        select(InboundEvent.contact_id, InboundEvent.type, InboundEvent.url, InboundEvent.occurred_at)
        .join(ranked, ranked.c.id == InboundEvent.id).where(ranked.c.n <= per_contact)
        .order_by(InboundEvent.occurred_at.desc())))


def alerts_of(session: Session, contact_ids: list[int]) -> list[ContactAlert]:
    if not contact_ids:
        return []
    return typed_rows(ContactAlert, session.execute(select(Alert.contact_id, Alert.summary, Alert.created_at,
                                                           TriggerRule.name.label("rule"))
                                .outerjoin(TriggerRule, TriggerRule.id == Alert.rule_id)
                                .where(Alert.contact_id.in_(contact_ids)).order_by(Alert.created_at.desc())))


def count_on_list(session: Session, actor: Actor) -> int:
    return int(session.scalar(select(func.count()).select_from(Contact)
                              .where(Contact.status == "nurture", owner_scope(actor, Contact.owner_id))) or 0)
