"""Queries for settings changed on the desk and for the re-plans started there."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from ember.models import Contact, ReplanRun, Team, TeamSetting, User
from ember.models.base import SHARED_SCOPE as EVERYONE
from ember.models.base import scope_of

# What the team's own closed deals taught (call targets, call windows): below every explicit setting.
LEARNED_PREFIX = "learned:"


def learned_scope(team_id: int) -> str:
    return f"{LEARNED_PREFIX}{team_id}"


def overrides(session: Session, team_id: int | None) -> dict[str, str]:
    """The everyone-overrides, then the team's own on top (team None: only the everyone-overrides)."""
    return levels(session, team_id).explicit


def team_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Team.id).order_by(Team.id)))


@dataclass(frozen=True, slots=True)
class Levels:
    explicit: dict[str, str]  # set on the desk: everyone's values, the team's on top
    taught: dict[str, str]  # learned from the team's own history


def levels(session: Session, team_id: int | None) -> Levels:
    """In one query: what was set on the desk (everyone, then the team on top), and what the team learned."""
    scopes = [EVERYONE] if team_id is None else [EVERYONE, str(team_id), learned_scope(team_id)]
    rows = session.execute(select(TeamSetting.scope, TeamSetting.name, TeamSetting.value)
                           .where(TeamSetting.scope.in_(scopes)))
    explicit: dict[str, str] = {}
    taught: dict[str, str] = {}
    for scope, name, value in sorted(rows, key=lambda row: row.scope != EVERYONE):
        (taught if scope.startswith(LEARNED_PREFIX) else explicit)[name] = value
    return Levels(explicit, taught)


def own_overrides(session: Session, team_id: int | None) -> dict[str, str]:
    """Only what was set at this level (everyone, or this team)."""
    rows = session.execute(select(TeamSetting.name, TeamSetting.value).where(TeamSetting.scope == scope_of(team_id)))
    return {name: value for name, value in rows}


def learned(session: Session, team_id: int) -> dict[str, str]:
    """The values learned for a team, by setting name."""
    rows = session.execute(select(TeamSetting.name, TeamSetting.value)
                           .where(TeamSetting.scope == learned_scope(team_id)))
    return {name: value for name, value in rows}


def replace_learned(session: Session, team_id: int, values: dict[str, str]) -> None:
    """Keep exactly these learned values for the team (an empty value is dropped)."""
    session.execute(delete(TeamSetting).where(TeamSetting.scope == learned_scope(team_id)))
    session.add_all(TeamSetting(scope=learned_scope(team_id), team_id=team_id, name=name, value=value)
                    for name, value in values.items() if value)
    session.flush()


def put(session: Session, team_id: int | None, name: str, value: str, user_id: int) -> None:
    scope = scope_of(team_id)
    row = session.scalar(select(TeamSetting).where(TeamSetting.scope == scope, TeamSetting.name == name))
    if row is None:
        session.add(TeamSetting(scope=scope, team_id=team_id, name=name, value=value, updated_by_id=user_id))
    else:
        row.value, row.updated_by_id = value, user_id


def drop(session: Session, team_id: int | None, name: str) -> None:
    session.execute(delete(TeamSetting).where(TeamSetting.scope == scope_of(team_id), TeamSetting.name == name))


# ---- re-plans ---------------------------------------------------------------------------

def contacts_to_replan(session: Session, team_id: int | None) -> int:
    return int(session.scalar(select(func.count()).select_from(Contact).where(*_of_team(team_id))) or 0)


def _of_team(team_id: int | None) -> list[ColumnElement[bool]]:
    if team_id is None:
        return []
    return [Contact.owner_id.in_(select(User.id).where(User.team_id == team_id))]


def contact_ids_after(session: Session, team_id: int | None, after: int, limit: int) -> list[int]:
    query = select(Contact.id).where(Contact.id > after, *_of_team(team_id)).order_by(Contact.id).limit(limit)
    return list(session.scalars(query))


def owner_teams(session: Session, contact_ids: list[int]) -> dict[int, int | None]:
    """Per contact: its owner's team id."""
    rows = session.execute(select(Contact.id, User.team_id).join(User, User.id == Contact.owner_id)
                           .where(Contact.id.in_(contact_ids)))
    return {int(contact_id): team_id for contact_id, team_id in rows}


def run_by_id(session: Session, run_id: int) -> ReplanRun | None:
    return session.get(ReplanRun, run_id)


def latest_run(session: Session, team_id: int | None) -> ReplanRun | None:
    query = select(ReplanRun).order_by(ReplanRun.id.desc()).limit(1)
    query = query.where(ReplanRun.team_id.is_(None) if team_id is None else ReplanRun.team_id == team_id)
    return session.scalar(query)
