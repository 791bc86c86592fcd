"""Contacts: the people a rep follows up with."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from sqlalchemy.orm import Session

from ember.accounts.service import get_account
from ember.contacts import repository
from ember.contacts.schemas import ContactCreate, ContactFields
from ember.errors import Conflict, NotFound, Problem
from ember.models import Contact
from ember.phones import phone_key
from ember.taken import check_external_id_free
from ember.tallies.service import recounting
from ember.users.access import Actor, can_see_owner, require_visible
from ember.users.owners import resolve_owner


def get_contact(session: Session, actor: Actor, contact_id: int) -> Contact:
    found = repository.contact_with_owner(session, contact_id)
    require_visible(actor, found.owner if found else None, f"contact {contact_id}")
    assert found is not None
    return found.contact


def contact_behind(session: Session, actor: Actor, contact_id: int, *, missing: str) -> Contact:
    """The contact another record (a touch, a call, an email address) leads to. When the actor
    cannot see it, the answer is that record's own "not found" (``missing``), word for word: never
    the contact's id, which would tell that the record exists."""
    found = repository.contact_with_owner(session, contact_id)
    if found is None or not can_see_owner(actor, found.owner):
        raise NotFound(missing)
    return found.contact


def get_contact_by_email(session: Session, actor: Actor, email: str) -> Contact:
    contact = repository.contact_by_email(session, email)
    missing = f"no contact with email {email}"
    if contact is None:
        raise NotFound(missing)
    return contact_behind(session, actor, contact.id, missing=missing)


def _check_account(session: Session, actor: Actor, account_id: int | None) -> None:
    """A contact may join only a company the actor can see; any other id is answered as a missing one."""
    if account_id is not None:
        get_account(session, actor, account_id)


def _email_taken() -> Conflict:
    """The same answer whoever holds the address: it says the address is in use (one contact per
    email), never whose contact it is or anything about them."""
    return Conflict("this email is already used by another contact",
                    [Problem("email", "already used by another contact",
                             "search your contacts for it, or ask your manager to reassign the contact to you")])


def create_contact(session: Session, actor: Actor, data: ContactCreate) -> Contact:
    if repository.contact_by_email(session, data.email) is not None:
        raise _email_taken()
    check_external_id_free(repository.contact_id_with_external_id(session, data.external_id))
    _check_account(session, actor, data.account_id)
    owner = resolve_owner(session, actor, data.owner_email)
    values = data.model_dump(exclude_none=True, exclude={"owner_email"})
    contact = Contact(owner_id=owner.id, **values)
    contact.phone_key = phone_key(contact.phone, contact.country)
    session.add(contact)
    session.flush()
    return contact


def update_contact(session: Session, actor: Actor, contact_id: int, data: ContactFields) -> Contact:
    contact = get_contact(session, actor, contact_id)
    changes = data.model_dump(exclude_unset=True)
    if "owner_email" in changes:
        contact.owner_id = resolve_owner(session, actor, changes.pop("owner_email")).id
    if "account_id" in changes:
        _check_account(session, actor, changes["account_id"])
    check_external_id_free(repository.contact_id_with_external_id(session, changes.get("external_id")),
                           contact.id)
    new_email = changes.get("email")
    if new_email and new_email != contact.email and repository.contact_by_email(session, new_email) is not None:
        raise _email_taken()
    if "decision_role" in changes:
        # A rep's own judgement wins over what call analysis infers later.
        contact.decision_role_source = "manual"
    # A new time zone moves the contact's calls to other local hours in the running counts.
    moved = "timezone" in changes and changes["timezone"] != contact.timezone
    around: AbstractContextManager[None] = recounting(session, contact_id=contact.id) if moved else nullcontext()
    with around:
        for field, value in changes.items():
            setattr(contact, field, value)
        contact.phone_key = phone_key(contact.phone, contact.country)
        session.flush()
    return contact


def delete_contact(session: Session, actor: Actor, contact_id: int) -> None:
    contact = get_contact(session, actor, contact_id)
    with recounting(session, contact_id=contact.id):  # its touches go with it
        session.delete(contact)


def list_contacts(
    session: Session, actor: Actor, *, status: str | None = None, search: str | None = None,
    limit: int = 100, offset: int = 0,
) -> list[Contact]:
    return repository.list_contacts(session, actor, status=status, search=search, limit=limit, offset=offset)


def count_contacts(session: Session, actor: Actor) -> int:
    """How many contacts the actor may see."""
    return repository.count_visible(session, actor)
