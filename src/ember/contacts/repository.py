from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from ember.models import Account, Contact, User
from ember.users.access import Actor, owner_scope


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


def contact_with_owner(session: Session, contact_id: int) -> tuple[Contact, User] | None:
    row = session.execute(
        select(Contact, User).join(User, User.id == Contact.owner_id).where(Contact.id == contact_id)
    ).first()
    return (row[0], row[1]) if row else None


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
