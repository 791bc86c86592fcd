"""Every query about write keys, sources by kind, and contacts as providers name them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from ember.db import typed_rows
from ember.models import Contact, EventSource, InboundEvent, WriteKey
from ember.tracking.batches import BATCH_TYPE


def source_by_name(session: Session, name: str) -> EventSource | None:
    return session.scalar(select(EventSource).where(EventSource.name == name))


def all_sources(session: Session) -> list[EventSource]:
    return list(session.scalars(select(EventSource).order_by(EventSource.name)))


def last_received(session: Session) -> dict[str, datetime]:
    """When each source's latest event arrived (sources that never sent one are absent)."""
    rows = session.execute(select(InboundEvent.source, func.max(InboundEvent.received_at))
                           .group_by(InboundEvent.source))
    return {str(source): when for source, when in rows if when is not None}


@dataclass(frozen=True, slots=True)
class LiveKey:
    """A write key not revoked, with what its source needs to take events."""

    key_hash: str
    scope: str
    name: str  # the source's
    kind: str
    mapping: dict[str, Any] | None
    secret: str


def live_keys(session: Session) -> list[LiveKey]:
    return typed_rows(LiveKey, session.execute(
        select(WriteKey.key_hash, WriteKey.scope, EventSource.name, EventSource.kind, EventSource.mapping,
               EventSource.secret)
        .join(EventSource, EventSource.id == WriteKey.source_id).where(WriteKey.revoked_at.is_(None))))


def keys_of(session: Session, source_id: int) -> list[WriteKey]:
    return list(session.scalars(select(WriteKey).where(WriteKey.source_id == source_id).order_by(WriteKey.id)))


def add_key(session: Session, source_id: int, key_hash: str, prefix: str, scope: str) -> WriteKey:
    key = WriteKey(source_id=source_id, key_hash=key_hash, prefix=prefix, scope=scope)
    session.add(key)
    session.flush()
    return key


def revoke_keys(session: Session, source_id: int, prefix: str, now: datetime) -> int:
    result = session.execute(
        update(WriteKey).where(WriteKey.source_id == source_id, WriteKey.prefix == prefix,
                               WriteKey.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def emails_by_external_id(session: Session, external_ids: list[str]) -> dict[str, str]:
    """Contacts' emails by CRM record id (HubSpot's objectId is the contact's Record ID)."""
    if not external_ids:
        return {}
    rows = session.execute(select(Contact.external_id, Contact.email)
                           .where(Contact.external_id.in_(external_ids), Contact.email.is_not(None)))
    return {str(ext): str(email) for ext, email in rows}


@dataclass(frozen=True)
class StoredBatch:
    id: int
    source: str
    payload: dict[str, Any]
    received_at: datetime


def pending_batches(session: Session, event_ids: list[int]) -> list[StoredBatch]:
    """The stored batches among these events that no worker took yet; read only (no write lock)."""
    # On the session's connection: Core rows, without the ORM's result machinery (a row per batch).
    return typed_rows(StoredBatch, session.connection().execute(
        select(InboundEvent.id, InboundEvent.source, InboundEvent.payload, InboundEvent.received_at)
        .where(InboundEvent.id.in_(event_ids), InboundEvent.type == BATCH_TYPE, InboundEvent.status == "pending")
        .order_by(InboundEvent.id)))


_TAKE = (delete(InboundEvent)
         .where(InboundEvent.id.in_(bindparam("ids", expanding=True)), InboundEvent.type == BATCH_TYPE,
                InboundEvent.status == "pending")
         .returning(InboundEvent.id))


def take_batches(conn: Connection, batch_ids: list[int]) -> set[int]:
    """Delete the batch rows in the caller's transaction; the ids taken (not those another worker took first).

    A write first: it takes the write lock (SQLite) or the rows' locks (PostgreSQL), so a second
    worker finds nothing to take. A batch row has done its work once its events are written in
    the same transaction; keeping it would only rewrite its whole payload to mark it handled.
    """
    if not batch_ids:
        return set()
    return {int(i) for i in conn.execute(_TAKE, {"ids": batch_ids}).scalars()}
