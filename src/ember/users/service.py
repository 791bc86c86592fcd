"""Users, teams and their credentials."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ember import validation
from ember.errors import Conflict, InvalidInput, Problem, Unauthorized
from ember.models import ApiToken, Team, User
from ember.users import repository
from ember.users.access import Actor
from ember.users.passwords import hash_password, new_token, token_digest, verify_password
from ember.vocabulary import Role


def current_user(session: Session, actor: Actor) -> User:
    """The stored user behind an actor: they were read from this row when they were authenticated."""
    user = repository.user_by_id(session, actor.id)
    assert user is not None
    return user


def visible_users(session: Session, actor: Actor) -> list[User]:
    """The users whose records the actor may see, by name: the owner filters of the pages."""
    return repository.visible_users(session, actor)


def first_admin(session: Session) -> User | None:
    """The oldest administrator: who acts when a command names nobody."""
    return repository.first_admin(session)


def _checked(parse: Callable[[str], str], value: str, where: str) -> str:
    """Run a shared field parser, reporting its complaint against ``where``."""
    try:
        return parse(value)
    except ValueError as exc:
        what, _, fix = str(exc).partition("; ")
        raise InvalidInput(what, [Problem(where, what, fix)]) from exc


def normalise_email(email: str, where: str = "email") -> str:
    return _checked(validation.parse_email, email, where)


def check_timezone(name: str, where: str = "timezone") -> str:
    return _checked(validation.parse_timezone, name, where)


def ensure_team(session: Session, name: str) -> Team:
    team = repository.team_by_name(session, name)
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


def add_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    team: str | None = None,
    timezone: str = "UTC",
    password: str | None = None,
) -> User:
    email = normalise_email(email)
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise InvalidInput(
            f"unknown role {role!r}",
            [Problem("role", f"{role!r} is not a role", "use rep, manager or admin")],
        ) from exc
    check_timezone(timezone)
    if repository.user_by_email(session, email) is not None:
        raise Conflict(f"a user with email {email} already exists")
    user = User(
        email=email,
        name=name.strip() or email,
        role=role_value.value,
        team_id=ensure_team(session, team).id if team else None,
        timezone=timezone,
        password_hash=hash_password(password) if password else None,
        notify_urls=[],
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """A new password ends every web session of the user: whoever knew the old one is out."""
    if len(password) < 8:
        raise InvalidInput(
            "password too short",
            [Problem("password", "fewer than 8 characters", "choose at least 8 characters")],
        )
    user.password_hash = hash_password(password)
    repository.revoke_sessions(session, datetime.now(UTC), user_id=user.id)
    session.flush()


def issue_token(session: Session, user: User, name: str = "cli") -> str:
    """Create a token; only its digest is stored, so this is the one time it is seen."""
    token = new_token()
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), name=name))
    session.flush()
    return token


def actor_for_token(session: Session, token: str) -> Actor:
    user = repository.user_by_token_digest(session, token_digest(token))
    if user is None:
        raise Unauthorized("the API token is unknown or revoked; create one with `ember users token EMAIL`")
    return Actor.of(user)


def actor_for_login(session: Session, email: str, password: str) -> Actor:
    user = repository.user_by_email(session, email)
    known = user is not None and user.is_active
    # The password is checked even for an unknown or inactive user (against a stand-in
    # hash), so that the time taken does not tell which emails have an account.
    valid = verify_password(password, user.password_hash if known and user else None)
    if not (known and valid) or user is None:
        raise Unauthorized("wrong email or password")
    return Actor.of(user)


def actor_for_email(session: Session, email: str) -> Actor:
    """For the CLI's --as: the local operator acts as a named user."""
    user = repository.user_by_email(session, email)
    if user is None:
        raise InvalidInput(
            f"no user with email {email}",
            [Problem("--as", f"{email} is not a user", "see `ember users list` or add one")],
        )
    return Actor.of(user)
