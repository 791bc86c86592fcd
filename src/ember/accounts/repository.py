"""Queries for accounts: the companies contacts and deals belong to."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from ember.models import Account
from ember.users.access import Actor
from ember.users.repository import owner_scope


def _visible(actor: Actor) -> Select[Account]:
    # An account with no owner is shared company data every user may read.
    return select(Account).where(or_(Account.owner_id.is_(None), owner_scope(actor, Account.owner_id)))


def account_by_id(session: Session, account_id: int) -> Account | None:
    return session.get(Account, account_id)


def visible_accounts(session: Session, actor: Actor, *, limit: int, offset: int) -> list[Account]:
    return list(session.scalars(_visible(actor).order_by(Account.id).limit(limit).offset(offset)))


def visible_account(session: Session, actor: Actor, account_id: int) -> Account | None:
    return session.scalar(_visible(actor).where(Account.id == account_id))


def account_id_with_domain(session: Session, domain: str) -> int | None:
    return session.scalar(select(Account.id).where(Account.domain == domain.lower()))


def account_id_with_external_id(session: Session, external_id: str | None) -> int | None:
    if not external_id:
        return None
    return session.scalar(select(Account.id).where(Account.external_id == external_id))
