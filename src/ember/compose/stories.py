"""The library of customer stories and proof points, used by call-prep briefs and openers.

Shared stories (kept by admins) are read-only for managers: a manager's edit writes her team's copy,
which her team sees in the shared story's place; deleting one takes it out of her team's library
only. A story another team keeps is answered as missing, the same as an id nobody has.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ember.compose import repository
from ember.errors import InvalidInput, NotFound, Problem
from ember.models import ProofPoint
from ember.users.access import Actor, library_team, require_library_keeper

KINDS = ("story", "proof")


def story_dict(row: ProofPoint) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "title": row.title, "industry": row.industry,
            "problem_keywords": row.problem_keywords, "text": row.text, "shared": row.team_id is None}


def list_stories(session: Session, actor: Actor | None) -> list[ProofPoint]:
    """The stories the actor's team draws from (an admin: the shared library)."""
    return repository.proof_points(session, library_team(actor))


def visible_story(session: Session, actor: Actor, story_id: int) -> ProofPoint:
    """A story in the actor's library; a shared one the team copied means the team's copy."""
    team_id = library_team(actor)
    row = next((s for s in repository.proof_points(session, team_id) if s.id == story_id), None)
    if row is None and team_id is not None:
        row = repository.team_copy_of(session, team_id, story_id)
        row = None if row is None or row.hidden else row
    if row is None:
        raise NotFound(f"story {story_id} not found")
    return row


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


def _own_row(session: Session, actor: Actor, team_id: int | None, story_id: int) -> ProofPoint:
    """Where a change to a story goes: the level's own row, or a new team copy of a shared story."""
    row = visible_story(session, actor, story_id)
    if row.team_id == team_id:
        return row
    assert team_id is not None  # an admin sees only shared rows, which are their own level
    copy = ProofPoint(team_id=team_id, replaces_id=row.id, kind=row.kind, title=row.title, text=row.text,
                      industry=row.industry, problem_keywords=row.problem_keywords)
    session.add(copy)
    return copy


def save_story(session: Session, actor: Actor, *, story_id: int | None, kind: str, title: str, text: str,
               industry: str | None = None, problem_keywords: str | None = None) -> ProofPoint:
    """Add (no id) or change a story: a manager in her team's library, an admin in the shared one."""
    team_id = require_library_keeper(session, actor)
    _check(kind, title, text, industry, problem_keywords)
    row = ProofPoint(team_id=team_id) if story_id is None else _own_row(session, actor, team_id, story_id)
    row.kind, row.title, row.text = kind, title.strip(), text.strip()
    row.industry = (industry or "").strip() or None
    row.problem_keywords = (problem_keywords or "").strip() or None
    session.add(row)
    session.flush()
    return row


def delete_story(session: Session, actor: Actor, story_id: int) -> None:
    """A manager takes a story out of her team's library (a shared one stays for the other teams);
    an admin deletes a shared story for everyone, and teams keep the copies they edited."""
    team_id = require_library_keeper(session, actor)
    row = _own_row(session, actor, team_id, story_id)
    if row.replaces_id is not None:
        row.hidden = True  # the team's mark that keeps the shared story out of its library
    elif team_id is None:
        for copy in repository.copies_of(session, row.id):
            if copy.hidden:
                session.delete(copy)
            else:
                copy.replaces_id = None  # the team's edit stays, as its own story
        session.delete(row)
    else:
        session.delete(row)
    session.flush()
