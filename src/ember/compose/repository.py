"""Queries for follow-up writing: the last call, notes, stakeholders, stories, edited templates."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.models import Account, Call, ComposeTemplate, Contact, Deal, ProofPoint, Touch, User
from ember.models.base import SHARED_SCOPE, scope_of


def last_analysed_call(session: Session, contact_id: int) -> Call | None:
    return session.scalar(
        select(Call).join(Touch, Touch.id == Call.touch_id)
        .where(Touch.contact_id == contact_id, Call.analysis.is_not(None))
        .order_by(Touch.occurred_at.desc(), Call.id.desc()).limit(1)
    )


def last_touch_with_outcome(session: Session, contact_id: int, outcomes: Iterable[str]) -> Touch | None:
    return session.scalar(
        select(Touch).where(Touch.contact_id == contact_id, Touch.outcome.in_(list(outcomes)))
        .order_by(Touch.occurred_at.desc(), Touch.id.desc()).limit(1)
    )


def touch_notes(session: Session, contact_id: int, limit: int = 5) -> list[str]:
    """The contact's latest notes, oldest first; "Recorded call" markers are Ember's, not the rep's."""
    rows = session.scalars(
        select(Touch.notes).where(Touch.contact_id == contact_id, Touch.notes.is_not(None),
                                  Touch.notes.not_like("Recorded call:%"))
        .order_by(Touch.occurred_at.desc(), Touch.id.desc()).limit(limit)
    )
    return [note for note in reversed(list(rows)) if note and note.strip()]


def account_of(session: Session, contact: Contact) -> Account | None:
    return session.get(Account, contact.account_id) if contact.account_id else None


def deal(session: Session, deal_id: int | None) -> Deal | None:
    return session.get(Deal, deal_id) if deal_id else None


def contact_name(session: Session, contact_id: int | None) -> str | None:
    contact = session.get(Contact, contact_id) if contact_id else None
    return contact.full_name if contact else None


def team_of(session: Session, user_id: int) -> int | None:
    return session.scalar(select(User.team_id).where(User.id == user_id))


def proof_points(session: Session, team_id: int | None) -> list[ProofPoint]:
    """The stories a team draws from: the shared ones it did not copy or hide, then its own (copies
    in the place of what they copy). Team None: the shared library alone."""
    shared = list(session.scalars(select(ProofPoint).where(ProofPoint.team_id.is_(None)).order_by(ProofPoint.id)))
    if team_id is None:
        return shared
    own = list(session.scalars(select(ProofPoint).where(ProofPoint.team_id == team_id).order_by(ProofPoint.id)))
    copies = {row.replaces_id: row for row in own if row.replaces_id is not None}
    merged = [copies.get(row.id, row) for row in shared]
    merged += [row for row in own if row.replaces_id is None]
    return [row for row in merged if not row.hidden]


def team_copy_of(session: Session, team_id: int, shared_id: int) -> ProofPoint | None:
    return session.scalar(select(ProofPoint).where(ProofPoint.team_id == team_id, ProofPoint.replaces_id == shared_id))


def copies_of(session: Session, shared_id: int) -> list[ProofPoint]:
    return list(session.scalars(select(ProofPoint).where(ProofPoint.replaces_id == shared_id)))


def template_override(session: Session, name: str, team_id: int | None) -> ComposeTemplate | None:
    """The wording kept at exactly this level: the team's copy, or the shared edit (team None)."""
    return session.scalar(select(ComposeTemplate).where(ComposeTemplate.scope == scope_of(team_id),
                                                        ComposeTemplate.name == name))


def template_overrides(session: Session, team_id: int | None) -> dict[str, ComposeTemplate]:
    """Edited templates as the team sees them: its own copies over the shared edits."""
    scopes = [SHARED_SCOPE] if team_id is None else [SHARED_SCOPE, scope_of(team_id)]
    rows = session.scalars(select(ComposeTemplate).where(ComposeTemplate.scope.in_(scopes)))
    found: dict[str, ComposeTemplate] = {}
    for row in sorted(rows, key=lambda row: row.scope != SHARED_SCOPE):
        found[row.name] = row
    return found
