"""Managing people from the desk: add, change, deactivate, reset passwords, API tokens, teams.

Who may do what: an admin manages everyone and every team; a manager manages
the people of their own team (reps and managers, never admins) and cannot move
anyone to another team; a rep manages no one. A user the actor may not manage
is reported as not found, exactly like a missing one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ember.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem, ProblemList
from ember.models import ApiToken, Team, User
from ember.users import repository
from ember.users.access import Actor, require_manager
from ember.users.repository import team_by_id, user_by_id
from ember.users.service import add_user, check_timezone, issue_token, normalise_email, set_password
from ember.vocabulary import Role

TEAM_NAME_MAX = 120
TOKEN_NAME_MAX = 100


@dataclass(frozen=True)
class UserInput:
    name: str
    role: str
    team_id: int | None
    timezone: str


def manageable(actor: Actor, user: User) -> bool:
    if actor.role is Role.ADMIN:
        return True
    return (actor.role is Role.MANAGER and actor.team_id is not None and user.team_id == actor.team_id
            and user.role != Role.ADMIN.value)


def managed_users(session: Session, actor: Actor) -> list[User]:
    require_manager(actor)
    return [user for user in repository.all_users(session) if manageable(actor, user)]


def managed_user(session: Session, actor: Actor, user_id: int) -> User:
    require_manager(actor)
    user = user_by_id(session, user_id)
    if user is None or not manageable(actor, user):
        raise NotFound(f"user {user_id} not found")
    return user


def visible_teams(session: Session, actor: Actor) -> list[Team]:
    require_manager(actor)
    teams = repository.all_teams(session)
    return teams if actor.role is Role.ADMIN else [t for t in teams if t.id == actor.team_id]


def _role(value: str, actor: Actor, problems: ProblemList) -> Role | None:
    try:
        role = Role(value)
    except ValueError:
        problems.add("role", f"{value!r} is not a role", "choose rep, manager or admin")
        return None
    if role is Role.ADMIN and actor.role is not Role.ADMIN:
        problems.add("role", "only an admin can make someone an admin", "choose rep or manager")
    return role


def _team_id(session: Session, actor: Actor, team_id: int | None, problems: ProblemList) -> int | None:
    if actor.role is not Role.ADMIN:
        if team_id != actor.team_id:
            problems.add("team", "managers add and keep people in their own team", "leave your team selected")
        return actor.team_id
    if team_id is not None and team_by_id(session, team_id) is None:
        problems.add("team", f"team {team_id} does not exist", "choose a team from the list or add it first")
    return team_id


def _check(session: Session, actor: Actor, data: UserInput) -> tuple[Role | None, int | None, ProblemList]:
    problems = ProblemList()
    if not data.name.strip() or len(data.name.strip()) > 200:
        problems.add("name", "must be 1-200 characters", "write the person's full name")
    role = _role(data.role, actor, problems)
    team_id = _team_id(session, actor, data.team_id, problems)
    try:
        check_timezone(data.timezone)
    except InvalidInput as exc:
        problems.items.extend(exc.problems)
    return role, team_id, problems


def create_user(session: Session, actor: Actor, *, email: str, data: UserInput, password: str) -> User:
    """A new user who can log in with ``password`` (to be changed by them)."""
    require_manager(actor)
    role, team_id, problems = _check(session, actor, data)
    try:
        email = normalise_email(email)
    except InvalidInput as exc:
        problems.items.extend(exc.problems)
    if len(password) < 8:
        problems.add("password", "fewer than 8 characters", "choose at least 8 characters")
    problems.raise_if_any("the user was not added")
    if repository.user_by_email(session, email) is not None:
        raise Conflict(f"a user with email {email} already exists",
                       [Problem("email", "is taken", "find that user in the list, or use another address")])
    assert role is not None  # checked above
    user = add_user(session, email=email, name=data.name, role=role.value, timezone=data.timezone,
                    password=password)
    user.team_id = team_id
    session.flush()
    return user


def update_user(session: Session, actor: Actor, user_id: int, data: UserInput) -> User:
    user = managed_user(session, actor, user_id)
    role, team_id, problems = _check(session, actor, data)
    if user.id == actor.id and role is not None and role.value != user.role:
        problems.add("role", "you cannot change your own role", "ask another admin")
    problems.raise_if_any(f"{user.email} was not changed")
    assert role is not None  # checked above
    user.name, user.role, user.team_id, user.timezone = data.name.strip(), role.value, team_id, data.timezone
    session.flush()
    return user


def set_user_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivated users cannot log in and their sessions and API tokens stop working at once."""
    user = managed_user(session, actor, user_id)
    if user.id == actor.id and not active:
        raise Forbidden("you cannot deactivate yourself; ask another admin")
    user.is_active = active
    if not active:
        repository.revoke_sessions(session, datetime.now(UTC), user_id=user.id)
    session.flush()
    return user


def reset_password(session: Session, actor: Actor, user_id: int) -> tuple[User, str]:
    """A fresh random password, shown once; the user's sessions end."""
    user = managed_user(session, actor, user_id)
    password = secrets.token_urlsafe(12)
    set_password(session, user, password)
    return user, password


def tokens_of(session: Session, actor: Actor, user_id: int) -> list[ApiToken]:
    return repository.tokens_of(session, managed_user(session, actor, user_id).id)


def new_token(session: Session, actor: Actor, user_id: int, name: str) -> str:
    user = managed_user(session, actor, user_id)
    name = name.strip()
    if not name or len(name) > TOKEN_NAME_MAX:
        raise InvalidInput("the token needs a name", [Problem(
            "token name", f"must be 1-{TOKEN_NAME_MAX} characters", "say what uses it, e.g. crm-sync")])
    return issue_token(session, user, name)


def revoke_token(session: Session, actor: Actor, user_id: int, token_id: int) -> None:
    user = managed_user(session, actor, user_id)
    token = repository.token_by_id(session, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(f"token {token_id} not found")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
    session.flush()


# ---- teams ---------------------------------------------------------------------------

def _team_name(session: Session, name: str, team_id: int | None) -> str:
    name = name.strip()
    if not name or len(name) > TEAM_NAME_MAX:
        raise InvalidInput("the team needs a name", [Problem(
            "team name", f"must be 1-{TEAM_NAME_MAX} characters", "use a short name like East or Enterprise")])
    other = repository.team_by_name(session, name)
    if other is not None and other.id != team_id:
        raise Conflict(f"a team named {name} already exists",
                       [Problem("team name", "is taken", "choose another name")])
    return name


def add_team(session: Session, actor: Actor, name: str) -> Team:
    if actor.role is not Role.ADMIN:
        raise Forbidden("only admins add teams")
    team = Team(name=_team_name(session, name, None))
    session.add(team)
    session.flush()
    return team


def rename_team(session: Session, actor: Actor, team_id: int, name: str) -> Team:
    team = next((t for t in visible_teams(session, actor) if t.id == team_id), None)
    if team is None:
        raise NotFound(f"team {team_id} not found")
    team.name = _team_name(session, name, team.id)
    session.flush()
    return team


def team_sizes(session: Session) -> dict[int, int]:
    return repository.team_sizes(session)
