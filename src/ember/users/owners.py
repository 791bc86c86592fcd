"""Assigning owners: who may give a contact or deal to whom."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ember.errors import Forbidden, InvalidInput, Problem
from ember.models import User
from ember.users import repository
from ember.users.access import Actor, can_see_owner


def resolve_owner(session: Session, actor: Actor, owner_email: str | None, where: str = "owner") -> User:
    """The owner named, if the actor may assign to them; the actor when none is named."""
    if not owner_email:
        user = session.get(User, actor.id)
        assert user is not None
        return user
    owner = repository.user_by_email(session, owner_email)
    if owner is None:
        raise InvalidInput(
            f"no user with email {owner_email}",
            [Problem(where, f"{owner_email} is not a user", "add the user first or name an existing one")],
        )
    if not can_see_owner(actor, owner):
        raise Forbidden(f"you cannot assign records to {owner_email}")
    return owner
