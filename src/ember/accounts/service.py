"""Accounts: the companies contacts and deals belong to.

An account with no owner is shared company data every user may read; an
owned account follows the same visibility as contacts and deals.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ember.accounts import repository
from ember.accounts.schemas import AccountCreate, AccountFields
from ember.errors import Conflict, NotFound, Problem
from ember.models import Account
from ember.taken import check_external_id_free
from ember.users.access import Actor
from ember.users.owners import resolve_owner


def list_accounts(session: Session, actor: Actor, *, limit: int = 100, offset: int = 0) -> list[Account]:
    return repository.visible_accounts(session, actor, limit=limit, offset=offset)


def get_account(session: Session, actor: Actor, account_id: int) -> Account:
    account = repository.visible_account(session, actor, account_id)
    if account is None:
        raise NotFound(f"account {account_id} not found")
    return account


def create_account(session: Session, actor: Actor, data: AccountCreate) -> Account:
    _check_domain_free(session, data.domain)
    check_external_id_free(repository.account_id_with_external_id(session, data.external_id))
    owner = resolve_owner(session, actor, data.owner_email)
    values = data.model_dump(exclude_none=True, exclude={"owner_email"})
    if "domain" in values:
        values["domain"] = values["domain"].lower()
    account = Account(owner_id=owner.id, **values)
    session.add(account)
    session.flush()
    return account


def _check_domain_free(session: Session, domain: str | None, account_id: int | None = None) -> None:
    """One account per domain. The same answer whoever's account holds it."""
    if not domain:
        return
    holder = repository.account_id_with_domain(session, domain)
    if holder is not None and holder != account_id:
        raise Conflict("this domain is already used by another account",
                       [Problem("domain", "already used by another account",
                                "search your accounts for it, or leave the domain empty")])


def update_account(session: Session, actor: Actor, account_id: int, data: AccountFields) -> Account:
    account = get_account(session, actor, account_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("domain"):
        changes["domain"] = changes["domain"].lower()
        _check_domain_free(session, changes["domain"], account.id)
    check_external_id_free(repository.account_id_with_external_id(session, changes.get("external_id")), account.id)
    if "owner_email" in changes:
        account.owner_id = resolve_owner(session, actor, changes.pop("owner_email")).id
    for field, value in changes.items():
        setattr(account, field, value)
    session.flush()
    return account
