"""Queries for outbound messages. The unique idempotency key and conditional updates
are what keep two workers from sending the same email."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ember.models import OutboundMessage


def insert_if_new(session: Session, values: dict[str, Any]) -> int | None:
    """Insert the row unless its idempotency key exists; the new id, or None when it existed.

    ON CONFLICT DO NOTHING on both engines: a concurrent insert of the same key
    waits for the first transaction and then inserts nothing, instead of failing.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(OutboundMessage).values(**values)
                 .on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(OutboundMessage.id))
    new_id = session.execute(statement).scalar_one_or_none()
    return int(new_id) if new_id is not None else None


def by_key(session: Session, key: str) -> OutboundMessage | None:
    return session.scalar(select(OutboundMessage).where(OutboundMessage.idempotency_key == key)
                          .execution_options(populate_existing=True))


def get(session: Session, message_id: int) -> OutboundMessage | None:
    return session.scalar(select(OutboundMessage).where(OutboundMessage.id == message_id)
                          .execution_options(populate_existing=True))


def claim(session: Session, message_id: int, now: datetime, *, force: bool = False) -> bool:
    """queued → sending, or a due failure → sending. True only for the one worker that won.

    The WHERE clause re-checks the status inside the UPDATE, so of two workers
    racing for one row exactly one sees rowcount 1.
    """
    due = OutboundMessage.status == "queued"
    retry = OutboundMessage.status == "failed"
    if not force:  # the sweep takes only failures whose pause is over; a rep's "send again" takes any
        retry = retry & OutboundMessage.next_attempt_at.is_not(None) & (OutboundMessage.next_attempt_at <= now)
    result = session.execute(
        update(OutboundMessage).where(OutboundMessage.id == message_id, due | retry)
        .values(status="sending", attempts=OutboundMessage.attempts + 1, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(session: Session, message_id: int, values: dict[str, Any]) -> None:
    """Record the outcome of a claimed send (only a row still in "sending" is changed)."""
    session.execute(
        update(OutboundMessage).where(OutboundMessage.id == message_id, OutboundMessage.status == "sending")
        .values(**values).execution_options(synchronize_session=False)
    )


def due_failures(session: Session, now: datetime, limit: int = 100) -> list[int]:
    return list(session.scalars(
        select(OutboundMessage.id).where(OutboundMessage.status == "failed",
                                         OutboundMessage.next_attempt_at.is_not(None),
                                         OutboundMessage.next_attempt_at <= now)
        .order_by(OutboundMessage.next_attempt_at).limit(limit)
    ))


def of_contact(session: Session, contact_id: int, limit: int = 100) -> list[OutboundMessage]:
    return list(session.scalars(
        select(OutboundMessage).where(OutboundMessage.contact_id == contact_id)
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc()).limit(limit)
        .execution_options(populate_existing=True)
    ))


def of_rep(session: Session, rep_id: int, limit: int = 100) -> list[OutboundMessage]:
    return list(session.scalars(
        select(OutboundMessage).where(OutboundMessage.rep_id == rep_id)
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc()).limit(limit)
    ))
