"""The team's library of customer stories and proof points, used by call-prep briefs and openers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.errors import InvalidInput, NotFound, Problem
from ember.models import ProofPoint
from ember.users.access import Actor, require_manager

KINDS = ("story", "proof")


def story_dict(row: ProofPoint) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "title": row.title, "industry": row.industry,
            "problem_keywords": row.problem_keywords, "text": row.text}


def list_stories(session: Session) -> list[ProofPoint]:
    return list(session.scalars(select(ProofPoint).order_by(ProofPoint.id)))


def _check(kind: str, title: str, text: str, industry: str | None = None,
           problem_keywords: str | None = None) -> None:
    problems = []
    if kind not in KINDS:
        problems.append(Problem("kind", f"{kind!r} is not a kind", "use story or proof"))
    if not title.strip():
        problems.append(Problem("title", "is empty", "give the story a short title"))
    if not text.strip():
        problems.append(Problem("text", "is empty", "write what the customer achieved, in a few sentences"))
    for where, value, limit in (("title", title, 200), ("text", text, 5000), ("industry", industry, 100),
                                ("problem_keywords", problem_keywords, 300)):
        if value is not None and len(value) > limit:
            problems.append(Problem(where, f"is {len(value)} characters long", f"keep it to {limit} characters"))
    if problems:
        raise InvalidInput("the story is not complete", problems)


def save_story(session: Session, actor: Actor, *, story_id: int | None, kind: str, title: str, text: str,
               industry: str | None = None, problem_keywords: str | None = None) -> ProofPoint:
    """Add (no id) or change a story. Managers keep the library; every rep draws from it."""
    require_manager(actor)
    _check(kind, title, text, industry, problem_keywords)
    row = ProofPoint() if story_id is None else session.get(ProofPoint, story_id)
    if row is None:
        raise NotFound(f"story {story_id} not found")
    row.kind, row.title, row.text = kind, title.strip(), text.strip()
    row.industry = (industry or "").strip() or None
    row.problem_keywords = (problem_keywords or "").strip() or None
    session.add(row)
    session.flush()
    return row


def delete_story(session: Session, actor: Actor, story_id: int) -> None:
    require_manager(actor)
    row = session.get(ProofPoint, story_id)
    if row is None:
        raise NotFound(f"story {story_id} not found")
    session.delete(row)
    session.flush()
