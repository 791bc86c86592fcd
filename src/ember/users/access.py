"""Who may see and change what.

A rep works on their own contacts and deals, a manager on their team's, an
admin on everything. Every query for owned objects goes through
``users.repository.owner_scope`` so the rule lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ember.errors import Forbidden, NotFound
from ember.models import User
from ember.users import repository
from ember.vocabulary import Role


@dataclass(frozen=True)
class Actor:
    id: int
    email: str
    name: str
    role: Role
    team_id: int | None
    timezone: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.email, user.name, Role(user.role), user.team_id, user.timezone)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def can_see_owner(actor: Actor, owner: User) -> bool:
    if actor.role is Role.ADMIN or owner.id == actor.id:
        return True
    return actor.role is Role.MANAGER and actor.team_id is not None and owner.team_id == actor.team_id


def require_visible(actor: Actor, owner: User | None, what: str) -> None:
    """Hide other people's objects entirely: a rep cannot even learn they exist."""
    if owner is None or not can_see_owner(actor, owner):
        raise NotFound(f"{what} not found", [])


def require_manager(actor: Actor) -> None:
    if actor.role is Role.REP:
        raise Forbidden("only managers and admins can do this")


def library_team(actor: Actor | None) -> int | None:
    """Whose message library, templates and stories the actor reads on the desk, API and CLI: their
    team's (shared defaults with the team's copies on top); an admin keeps the shared ones, and
    nobody in particular (a command run before any user exists) reads them too."""
    return None if actor is None or actor.is_admin else actor.team_id


def require_library_keeper(session: Session, actor: Actor) -> int | None:
    """The level the actor changes: an admin the shared defaults (None), a manager their team's
    copies. Where there are no teams at all, a manager keeps the one library everyone uses; once
    there are, a manager without a team changes nothing (it would change every team's). Reps
    change nothing."""
    require_manager(actor)
    if actor.is_admin or (actor.team_id is None and not repository.any_team(session)):
        return None
    if actor.team_id is None:
        raise Forbidden("you are a manager without a team; ask an admin to put you in one")
    return actor.team_id
