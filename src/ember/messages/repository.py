from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.models import Call, MessageVariant, Touch


def active_variants(session: Session) -> list[MessageVariant]:
    return list(session.scalars(select(MessageVariant).where(MessageVariant.is_active).order_by(MessageVariant.id)))


def all_variants(session: Session) -> list[MessageVariant]:
    return list(session.scalars(select(MessageVariant).order_by(MessageVariant.situation, MessageVariant.id)))


def existing_keys(session: Session) -> set[str]:
    return set(session.scalars(select(MessageVariant.key)))


def ids_by_key(session: Session, keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    query = select(MessageVariant.key, MessageVariant.id).where(MessageVariant.key.in_(keys))
    return {key: id_ for key, id_ in session.execute(query)}


def received_keys(session: Session, contact_id: int) -> set[str]:
    """Every variant this contact ever received, across all deals and cadences."""
    return set(session.scalars(
        select(MessageVariant.key).join(Touch, Touch.message_variant_id == MessageVariant.id)
        .where(Touch.contact_id == contact_id)
    ))


def key_of(session: Session, variant_id: int) -> str | None:
    return session.scalar(select(MessageVariant.key).where(MessageVariant.id == variant_id))


def latest_analysis(session: Session, contact_id: int) -> dict[str, Any] | None:
    return session.scalar(
        select(Call.analysis).join(Touch, Touch.id == Call.touch_id)
        .where(Touch.contact_id == contact_id, Call.analysis.is_not(None))
        .order_by(Touch.occurred_at.desc()).limit(1)
    )
