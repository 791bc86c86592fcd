"""Queries for recorded calls."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ember.models import NextStep, User


def team_user_names(session: Session) -> list[str]:
    return list(session.scalars(select(User.name)))


def kept_next_steps(session: Session, call_id: int) -> list[NextStep]:
    """Next steps of a call that a rep has already acted on (done or dismissed)."""
    return list(session.scalars(select(NextStep).where(NextStep.call_id == call_id, NextStep.status != "open")))


def delete_open_next_steps(session: Session, call_id: int) -> None:
    session.execute(delete(NextStep).where(NextStep.call_id == call_id, NextStep.status == "open"))
