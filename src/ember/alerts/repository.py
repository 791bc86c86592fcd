"""Every query about alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ember.db import insert_or_ignore
from ember.models import Alert, Contact, InboundEvent, TriggerRule, User
from ember.users.access import Actor
from ember.users.repository import owner_scope


def insert_alert(session: Session, values: dict[str, Any]) -> int | None:
    """The new alert's id, or None when one with the same dedup key exists (any worker's)."""
    stmt = insert_or_ignore(session, Alert).values(**values).returning(Alert.id)
    found = session.scalar(stmt)
    return int(found) if found is not None else None


def recent_alert_exists(session: Session, contact_id: int, rule_id: int, since: datetime) -> bool:
    return session.scalar(
        select(Alert.id).where(Alert.contact_id == contact_id, Alert.rule_id == rule_id, Alert.created_at >= since)
        .limit(1)) is not None


class AlertRow(NamedTuple):
    """One alert as lists and feeds show it: the alert, its contact, rule, event and rep."""

    id: int
    summary: str
    created_at: datetime
    status: str
    delivered_at: datetime | None
    seen_at: datetime | None
    attempts: int
    last_error: str | None
    contact_id: int
    first_name: str
    last_name: str
    contact_email: str | None
    rule: str | None
    event_type: str | None
    url: str | None
    occurred_at: datetime | None
    source: str | None
    rep: str


class DeliveryTarget(NamedTuple):
    """An alert and where its rep wants it: the apprise URLs, and those already reached."""

    alert: AlertRow
    notify_urls: list[str]
    rep_name: str
    delivered_to: list[str]


class RepAlert(NamedTuple):
    """An alert as the live feed sends it, with the rep whose feed it goes to."""

    alert: AlertRow
    rep_id: int


_WIDTH = len(AlertRow._fields)


def _listing() -> Any:
    return (
        select(Alert.id, Alert.summary, Alert.created_at, Alert.status, Alert.delivered_at, Alert.seen_at,
               Alert.attempts, Alert.last_error, Contact.id, Contact.first_name, Contact.last_name, Contact.email,
               TriggerRule.name, InboundEvent.type, InboundEvent.url, InboundEvent.occurred_at, InboundEvent.source,
               User.email)
        .join(Contact, Contact.id == Alert.contact_id)
        .join(User, User.id == Alert.rep_id)
        .outerjoin(TriggerRule, TriggerRule.id == Alert.rule_id)
        .outerjoin(InboundEvent, InboundEvent.id == Alert.event_id)
    )


def visible_alerts(session: Session, actor: Actor, *, rep_id: int | None, unseen_only: bool,
                   limit: int, offset: int = 0, seen_only: bool = False) -> list[AlertRow]:
    query = _listing().where(owner_scope(actor, Alert.rep_id))
    if seen_only:
        query = query.where(Alert.seen_at.is_not(None))
    if rep_id is not None:
        query = query.where(Alert.rep_id == rep_id)
    if unseen_only:
        query = query.where(Alert.seen_at.is_(None))
    return [AlertRow(*row) for row in session.execute(query.order_by(Alert.id.desc()).limit(limit).offset(offset))]


def visible_alert_row(session: Session, actor: Actor, alert_id: int) -> AlertRow | None:
    row = session.execute(_listing().where(Alert.id == alert_id, owner_scope(actor, Alert.rep_id))).first()
    return AlertRow(*row) if row is not None else None


def alerts_after(session: Session, rep_id: int, after_id: int, limit: int = 50) -> list[AlertRow]:
    """The rep's alerts newer than ``after_id`` (the live feed polls this; indexed by rep)."""
    query = _listing().where(Alert.rep_id == rep_id, Alert.id > after_id)
    return [AlertRow(*row) for row in session.execute(query.order_by(Alert.id).limit(limit))]


def alerts_by_ids(session: Session, alert_ids: list[int], rep_ids: list[int]) -> list[RepAlert]:
    """These alerts, where they belong to one of these reps, each with its rep's id."""
    query = _listing().add_columns(Alert.rep_id).where(Alert.id.in_(alert_ids), Alert.rep_id.in_(rep_ids))
    return [RepAlert(AlertRow(*found[:_WIDTH]), int(found[_WIDTH]))
            for found in session.execute(query.order_by(Alert.id))]


def unseen_counts(session: Session, rep_ids: list[int]) -> dict[int, int]:
    rows = session.execute(select(Alert.rep_id, func.count()).where(Alert.rep_id.in_(rep_ids),
                                                                    Alert.seen_at.is_(None)).group_by(Alert.rep_id))
    return {int(rep_id): int(count) for rep_id, count in rows}


def newest_alert_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Alert.id))) or 0)


def alert_ids_after(session: Session, after_id: int, limit: int = 1000) -> list[int]:
    """Ids above ``after_id`` (a primary key range: cheap however many alerts there are)."""
    return list(session.scalars(select(Alert.id).where(Alert.id > after_id).order_by(Alert.id).limit(limit)))


def unseen_count(session: Session, rep_id: int) -> int:
    return int(session.scalar(select(func.count()).where(Alert.rep_id == rep_id, Alert.seen_at.is_(None))) or 0)


def last_alert_id(session: Session, rep_id: int) -> int:
    return int(session.scalar(select(func.max(Alert.id)).where(Alert.rep_id == rep_id)) or 0)


def alert_by_id(session: Session, alert_id: int) -> Alert | None:
    return session.get(Alert, alert_id)


def visible_alert(session: Session, actor: Actor, alert_id: int) -> Alert | None:
    return session.scalar(select(Alert).where(Alert.id == alert_id, owner_scope(actor, Alert.rep_id)))


# ---- delivery ------------------------------------------------------------------

def claim_delivery(session: Session, alert_id: int, now: datetime, lease_until: datetime) -> bool:
    """Take the alert for one delivery attempt; false when delivered, held by another
    worker whose lease has not run out, or not due yet (backoff)."""
    result = session.execute(
        update(Alert).where(Alert.id == alert_id, Alert.status.in_(("pending", "sending")),
                            or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now))
        .values(status="sending", attempts=Alert.attempts + 1, next_attempt_at=lease_until)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def due_deliveries(session: Session, now: datetime, limit: int) -> list[int]:
    return list(session.scalars(
        select(Alert.id).where(Alert.status.in_(("pending", "sending")),
                               or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now))
        .order_by(Alert.id).limit(limit)))


def delivery_target(session: Session, alert_id: int) -> DeliveryTarget | None:
    query = _listing().add_columns(User.notify_urls, User.name, Alert.delivered_to).where(Alert.id == alert_id)
    row = session.execute(query).first()
    if row is None:
        return None
    urls, rep_name, delivered_to = row[_WIDTH:]
    return DeliveryTarget(AlertRow(*row[:_WIDTH]), [str(u) for u in urls or []], rep_name,
                          [str(u) for u in delivered_to or []])


def latest_alert(session: Session, contact_id: int) -> Alert | None:
    return session.scalar(
        select(Alert).where(Alert.contact_id == contact_id).order_by(Alert.created_at.desc()).limit(1)
    )
