"""Assigning owners: who may give a contact or deal to whom."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ember.errors import InvalidInput, Problem
from ember.models import User
from ember.users import repository
from ember.users.access import Actor, can_see_owner
from ember.users.repository import user_by_id


def resolve_owner(session: Session, actor: Actor, owner_email: str | None, where: str = "owner") -> User:
    """The owner named, if the actor may assign to them; the actor when none is named."""
    if not owner_email:
        user = user_by_id(session, actor.id)
        assert user is not None
        return user
    owner = repository.user_by_email(session, owner_email)
    # Another team's user is answered exactly as an address that is no user: nothing tells who exists.
    if owner is None or not can_see_owner(actor, owner):
        raise InvalidInput(
            f"{owner_email} is not a user you can assign records to",
            [Problem(where, f"{owner_email} is not a user you can assign records to",
                     "name yourself or a user on your team")],
        )
    return owner
