"""Every query about alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, or_, select, update
from sqlalchemy.orm import Session

from ember.db import insert_or_ignore
from ember.models import Alert, Contact, InboundEvent, TriggerRule, User
from ember.users.access import Actor, owner_scope


def insert_alert(session: Session, values: dict[str, Any]) -> int | None:
    """The new alert's id, or None when one with the same dedup key exists (any worker's)."""
    stmt = insert_or_ignore(session, Alert).values(**values).returning(Alert.id)
    found = session.scalar(stmt)
    return int(found) if found is not None else None


def recent_alert_exists(session: Session, contact_id: int, rule_id: int, since: datetime) -> bool:
    return session.scalar(
        select(Alert.id).where(Alert.contact_id == contact_id, Alert.rule_id == rule_id, Alert.created_at >= since)
        .limit(1)) is not None


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
                   limit: int, offset: int = 0, seen_only: bool = False) -> list[Row[Any]]:
    query = _listing().where(owner_scope(actor, Alert.rep_id))
    if seen_only:
        query = query.where(Alert.seen_at.is_not(None))
    if rep_id is not None:
        query = query.where(Alert.rep_id == rep_id)
    if unseen_only:
        query = query.where(Alert.seen_at.is_(None))
    return list(session.execute(query.order_by(Alert.id.desc()).limit(limit).offset(offset)))


def visible_alert_row(session: Session, actor: Actor, alert_id: int) -> Row[Any] | None:
    return session.execute(_listing().where(Alert.id == alert_id, owner_scope(actor, Alert.rep_id))).first()


def alerts_after(session: Session, rep_id: int, after_id: int, limit: int = 50) -> list[Row[Any]]:
    """The rep's alerts newer than ``after_id`` (the live feed polls this; indexed by rep)."""
    query = _listing().where(Alert.rep_id == rep_id, Alert.id > after_id)
    return list(session.execute(query.order_by(Alert.id).limit(limit)))


def alerts_by_ids(session: Session, alert_ids: list[int], rep_ids: list[int]) -> list[Row[Any]]:
    """These alerts, where they belong to one of these reps, with the rep's id as ``rep_id``."""
    query = _listing().add_columns(Alert.rep_id.label("rep_id")).where(Alert.id.in_(alert_ids),
                                                                      Alert.rep_id.in_(rep_ids))
    return list(session.execute(query.order_by(Alert.id)))


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


def delivery_target(session: Session, alert_id: int) -> Row[Any] | None:
    query = _listing().add_columns(User.notify_urls, User.name, Alert.delivered_to).where(Alert.id == alert_id)
    return session.execute(query).first()


def latest_alert(session: Session, contact_id: int) -> Alert | None:
    return session.scalar(
        select(Alert).where(Alert.contact_id == contact_id).order_by(Alert.created_at.desc()).limit(1)
    )
