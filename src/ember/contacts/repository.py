from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ember.models import Account, Contact, User
from ember.users.access import Actor
from ember.users.repository import owner_scope


def visible_contacts(actor: Actor) -> Select[Contact]:
    return select(Contact).where(owner_scope(actor, Contact.owner_id))


def list_contacts(
    session: Session, actor: Actor, *, status: str | None, search: str | None, limit: int, offset: int
) -> list[Contact]:
    query = visible_contacts(actor)
    if status:
        query = query.where(Contact.status == status)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(Contact.email.like(pattern), Contact.last_name.ilike(pattern), Contact.first_name.ilike(pattern))
        )
    return list(session.scalars(query.order_by(Contact.id).limit(limit).offset(offset)))


@dataclass(frozen=True, slots=True)
class ContactWithOwner:
    """A contact and its owner: the owner decides who may see the contact."""

    contact: Contact
    owner: User


def contact_with_owner(session: Session, contact_id: int) -> ContactWithOwner | None:
    query = select(Contact, User).join(User, User.id == Contact.owner_id).where(Contact.id == contact_id)
    for contact, owner in session.execute(query):
        return ContactWithOwner(contact, owner)
    return None


def contacts_with_owners(session: Session, contact_ids: Iterable[int]) -> list[ContactWithOwner]:
    """These contacts with their owners, read at once (and kept in the session for what follows)."""
    wanted = sorted(set(contact_ids))
    found: list[ContactWithOwner] = []
    for start in range(0, len(wanted), 500):
        query = (select(Contact, User).join(User, User.id == Contact.owner_id)
                 .where(Contact.id.in_(wanted[start:start + 500])))
        found += [ContactWithOwner(contact, owner) for contact, owner in session.execute(query)]
    return found


def contact_by_id(session: Session, contact_id: int) -> Contact | None:
    return session.get(Contact, contact_id)


def contact_id_with_external_id(session: Session, external_id: str | None) -> int | None:
    if not external_id:
        return None
    return session.scalar(select(Contact.id).where(Contact.external_id == external_id))


def contact_by_email(session: Session, email: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.email == email.lower()))


def contact_timezone(session: Session, contact: Contact) -> str:
    if contact.timezone:
        return contact.timezone
    if contact.account_id is not None:
        zone = session.scalar(select(Account.timezone).where(Account.id == contact.account_id))
        if zone:
            return zone
    return "UTC"



def contact_country(session: Session, contact: Contact) -> str | None:
    if contact.country or contact.account_id is None:
        return contact.country
    return session.scalar(select(Account.country).where(Account.id == contact.account_id))


def count_visible(session: Session, actor: Actor) -> int:
    query = select(func.count()).select_from(Contact).where(owner_scope(actor, Contact.owner_id))
    return int(session.scalar(query) or 0)
