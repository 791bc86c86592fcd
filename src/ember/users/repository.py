from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.models import ApiToken, Team, User


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
