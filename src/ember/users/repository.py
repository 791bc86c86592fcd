from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, case, delete, func, select, true, update
from sqlalchemy.orm import Session

from ember.db import insert_or_ignore
from ember.models import ApiToken, LoginThrottle, Team, User, WebSession
from ember.vocabulary import Role

if TYPE_CHECKING:  # access builds on these queries; an Actor is only read here
    from ember.users.access import Actor


def owner_scope(actor: Actor, owner_column: ColumnElement[int] | object) -> ColumnElement[bool]:
    """SQL condition: rows whose owner the actor may see."""
    column: ColumnElement[int] = owner_column  # type: ignore[assignment]
    if actor.role is Role.ADMIN:
        return true()
    if actor.role is Role.MANAGER and actor.team_id is not None:
        return column.in_(select(User.id).where(User.team_id == actor.team_id))
    return column == actor.id


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def any_team(session: Session) -> bool:
    return session.scalar(select(Team.id).limit(1)) is not None


def token_by_id(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def team_by_id(session: Session, team_id: int) -> Team | None:
    return session.get(Team, team_id)


def first_admin(session: Session) -> User | None:
    return session.scalar(select(User).where(User.role == Role.ADMIN.value).order_by(User.id).limit(1))


def visible_users(session: Session, actor: Actor) -> list[User]:
    """The users whose records the actor may see, by name."""
    return list(session.scalars(select(User).where(owner_scope(actor, User.id)).order_by(User.name)))


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def user_by_token_digest(session: Session, digest: str) -> User | None:
    return session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None), User.is_active)
    )


def team_by_name(session: Session, name: str) -> Team | None:
    return session.scalar(select(Team).where(Team.name == name))


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def team_names(session: Session) -> dict[int, str]:
    return {team.id: team.name for team in session.scalars(select(Team))}


def all_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def team_sizes(session: Session) -> dict[int, int]:
    """Active users per team id."""
    rows = session.execute(select(User.team_id, func.count()).where(User.is_active, User.team_id.is_not(None))
                           .group_by(User.team_id))
    return {int(team_id or 0): int(count) for team_id, count in rows}


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())))


# ---- web sessions ----------------------------------------------------------------

def live_session(session: Session, token_hash: str, now: datetime, idle_since: datetime) -> WebSession | None:
    """The session behind a cookie token, unless revoked, past its absolute timeout or idle too long."""
    return session.scalar(
        select(WebSession).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash, WebSession.revoked_at.is_(None), WebSession.expires_at > now,
               WebSession.last_seen_at > idle_since, User.is_active))


def revoke_sessions(session: Session, now: datetime, *, user_id: int | None = None,
                    token_hash: str | None = None) -> int:
    """End one session (by token) or every session of a user; how many were live."""
    query = update(WebSession).where(WebSession.revoked_at.is_(None)).values(revoked_at=now)
    if user_id is not None:
        query = query.where(WebSession.user_id == user_id)
    if token_hash is not None:
        query = query.where(WebSession.token_hash == token_hash)
    result = session.execute(query.execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def drop_old_sessions(session: Session, before: datetime) -> None:
    """Sessions that ended before ``before`` are of no use any more."""
    session.execute(delete(WebSession).where(WebSession.expires_at < before))


# ---- failed logins ------------------------------------------------------------------

def throttle_locks(session: Session, keys: list[str], now: datetime) -> list[datetime]:
    return list(session.scalars(select(LoginThrottle.locked_until).where(
        LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now)))


def count_failure(session: Session, key: str, now: datetime, window_start: datetime) -> LoginThrottle:
    """Add one failure to ``key`` atomically (a count older than the window starts again at one)."""
    session.execute(insert_or_ignore(session, LoginThrottle).values(key=key, failures=0, window_started_at=now))
    stale = LoginThrottle.window_started_at < window_start
    session.execute(
        update(LoginThrottle).where(LoginThrottle.key == key)
        .values(failures=case((stale, 1), else_=LoginThrottle.failures + 1),
                window_started_at=case((stale, now), else_=LoginThrottle.window_started_at))
        .execution_options(synchronize_session=False))
    row = session.scalar(select(LoginThrottle).where(LoginThrottle.key == key).execution_options(
        populate_existing=True))
    assert row is not None  # inserted or found just above
    return row


def clear_failures(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.locked_until.is_(None)))
