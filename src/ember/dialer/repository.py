"""Every query of the dialer: call events as stored, and the contacts and reps they name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.db import insert_or_ignore
from ember.models import Contact, InboundEvent, User
from ember.users.access import Actor
from ember.users.repository import owner_scope

PHONE_MATCHES = 20  # a switchboard number shared by more contacts than this matches the first ones


def insert_event(session: Session, values: dict[str, Any]) -> int | None:
    """The new event row's id, or None when the provider sent this event before (insert-or-ignore)."""
    return session.execute(insert_or_ignore(session, InboundEvent.__table__).values(**values)
                           .returning(InboundEvent.id)).scalar()


def remember_event(session: Session, values: dict[str, Any]) -> None:
    """Insert-or-ignore an event row nobody reads back at once."""
    session.execute(insert_or_ignore(session, InboundEvent.__table__).values(**values))


def event_by_id(session: Session, event_id: int) -> InboundEvent | None:
    return session.get(InboundEvent, event_id)


def event_time(session: Session, source: str, external_id: str) -> datetime | None:
    return session.scalar(select(InboundEvent.occurred_at).where(InboundEvent.source == source,
                                                                 InboundEvent.external_id == external_id))


def events_with_status(session: Session, source_prefix: str, status: str, limit: int) -> list[InboundEvent]:
    """Events of any source under the prefix in this status, newest first."""
    return list(session.scalars(select(InboundEvent).where(InboundEvent.source.startswith(source_prefix),
                                                           InboundEvent.status == status)
                                .order_by(InboundEvent.occurred_at.desc()).limit(limit)))


def contacts_with_phone(session: Session, key: str) -> list[Contact]:
    """Contacts whose number has this E.164 key, oldest first."""
    return list(session.scalars(select(Contact).where(Contact.phone_key == key).order_by(Contact.id)
                                .limit(PHONE_MATCHES)))


def user_id_with_email(session: Session, email: str) -> int | None:
    return session.scalar(select(User.id).where(User.email == email.lower()))


def is_visible_contact(session: Session, actor: Actor, contact_id: int) -> bool:
    return session.scalar(select(Contact.id).where(Contact.id == contact_id,
                                                   owner_scope(actor, Contact.owner_id))) is not None
