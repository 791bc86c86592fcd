"""Queries for the message library: the shared variants with a team's own on top.

A team sees every shared variant, except where it keeps its own copy under the same key, plus the
variants it wrote itself. Team ``None`` reads the shared library alone (what admins keep).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ember.db import insert_or_ignore
from ember.models import Call, MessageVariant, PlannedTouch, Touch, User
from ember.models.base import SHARED_SCOPE, scope_of
from ember.vocabulary import PlannedTouchStatus


def _scopes(team_id: int | None) -> list[str]:
    return [SHARED_SCOPE] if team_id is None else [SHARED_SCOPE, scope_of(team_id)]


def insert_missing_variants(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert-or-ignore: two workers seeding an empty library at once must not fail."""
    session.execute(insert_or_ignore(session, MessageVariant), rows)


def team_variants(session: Session, team_id: int | None) -> list[MessageVariant]:
    """The library as the team sees it: one row per key, the team's copy where it has one."""
    rows = session.scalars(select(MessageVariant).where(MessageVariant.scope.in_(_scopes(team_id)))
                           .order_by(MessageVariant.id))
    seen: dict[str, MessageVariant] = {}
    for row in rows:
        if row.key not in seen or row.scope != SHARED_SCOPE:
            seen[row.key] = row
    return sorted(seen.values(), key=lambda row: row.id)


def active_variants(session: Session, team_id: int | None) -> list[MessageVariant]:
    return [row for row in team_variants(session, team_id) if row.is_active]


def all_variants(session: Session, team_id: int | None) -> list[MessageVariant]:
    return sorted(team_variants(session, team_id), key=lambda row: (row.situation, row.id))


def has_shared_variants(session: Session) -> bool:
    return session.scalar(select(MessageVariant.id).where(MessageVariant.scope == SHARED_SCOPE).limit(1)) is not None


def shared_keys(session: Session) -> set[str]:
    return set(session.scalars(select(MessageVariant.key).where(MessageVariant.scope == SHARED_SCOPE)))


def existing_keys(session: Session, team_id: int | None) -> set[str]:
    return set(session.scalars(select(MessageVariant.key).where(MessageVariant.scope.in_(_scopes(team_id)))))


def own_variant(session: Session, team_id: int | None, key: str) -> MessageVariant | None:
    """The row kept at exactly this level (the team's copy, or the shared one for team None)."""
    return session.scalar(select(MessageVariant).where(MessageVariant.scope == scope_of(team_id),
                                                       MessageVariant.key == key))


def ids_by_key(session: Session, keys: list[str], team_id: int | None) -> dict[str, int]:
    """The row each key means for the team: its own copy where it has one."""
    if not keys:
        return {}
    query = (select(MessageVariant.key, MessageVariant.id, MessageVariant.scope)
             .where(MessageVariant.key.in_(keys), MessageVariant.scope.in_(_scopes(team_id))))
    found: dict[str, int] = {}
    for key, id_, scope in session.execute(query):
        if key not in found or scope != SHARED_SCOPE:
            found[key] = id_
    return found


def ids_by_team_and_key(session: Session) -> dict[str, dict[str, int]]:
    """Every level's {key: id}, by scope: what a bulk re-plan resolves plans with."""
    found: dict[str, dict[str, int]] = {}
    for scope, key, id_ in session.execute(select(MessageVariant.scope, MessageVariant.key, MessageVariant.id)):
        found.setdefault(scope, {})[key] = id_
    return found


def point_open_plans_to(session: Session, team_id: int, old_id: int, new_id: int) -> None:
    """The team's planned touches that propose ``old_id`` propose ``new_id`` (its copy) instead."""
    team_reps = select(User.id).where(User.team_id == team_id)
    session.execute(update(PlannedTouch)
                    .where(PlannedTouch.message_variant_id == old_id, PlannedTouch.rep_id.in_(team_reps),
                           PlannedTouch.status == PlannedTouchStatus.PLANNED.value)
                    .values(message_variant_id=new_id).execution_options(synchronize_session=False))


def team_of(session: Session, user_id: int) -> int | None:
    return session.scalar(select(User.team_id).where(User.id == user_id))


def received_keys(session: Session, contact_id: int) -> set[str]:
    """Every variant this contact ever received, across all deals and cadences (a team's copy counts
    as the message it copies: the same key)."""
    return set(session.scalars(
        select(MessageVariant.key).join(Touch, Touch.message_variant_id == MessageVariant.id)
        .where(Touch.contact_id == contact_id)
    ))


def variant_by_id(session: Session, variant_id: int) -> MessageVariant | None:
    return session.get(MessageVariant, variant_id)


def key_of(session: Session, variant_id: int) -> str | None:
    return session.scalar(select(MessageVariant.key).where(MessageVariant.id == variant_id))


def latest_analysis(session: Session, contact_id: int) -> dict[str, Any] | None:
    return session.scalar(
        select(Call.analysis).join(Touch, Touch.id == Call.touch_id)
        .where(Touch.contact_id == contact_id, Call.analysis.is_not(None))
        .order_by(Touch.occurred_at.desc()).limit(1)
    )
