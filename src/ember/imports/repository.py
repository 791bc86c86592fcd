"""Batch lookups and writes for imports: one query per batch, never per row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ember.imports.values import name_key
from ember.models import Account, Contact, Deal, Touch, User


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    team_id: int | None


@dataclass(frozen=True)
class KnownContact:
    """What matching an imported row needs to know about a stored contact."""

    id: int
    email: str | None
    external_id: str | None
    phone_key: str | None
    name_key: str
    country: str | None
    owner_id: int
    stamp: datetime  # updated_at: equal to the import's own stamp when this import wrote it


def users(session: Session) -> list[UserRow]:
    return [UserRow(id_, email, name, team) for id_, email, name, team in
            session.execute(select(User.id, User.email, User.name, User.team_id).order_by(User.id))]


def contacts_matching(session: Session, *, external_ids: Iterable[str], emails: Iterable[str],
                      phone_keys: Iterable[str]) -> list[KnownContact]:
    """Stored contacts with any of these external ids, emails or phone keys."""
    columns = (Contact.id, Contact.email, Contact.external_id, Contact.phone_key, Contact.first_name,
               Contact.last_name, Contact.country, Contact.owner_id, Contact.updated_at)
    found: dict[int, KnownContact] = {}
    for column, keys in ((Contact.external_id, external_ids), (Contact.email, emails),
                         (Contact.phone_key, phone_keys)):
        unique = [k for k in set(keys) if k]
        for start in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
            for row in session.execute(select(*columns).where(column.in_(unique[start : start + 500]))):
                found[row.id] = KnownContact(row.id, row.email, row.external_id, row.phone_key,
                                             name_key(row.first_name, row.last_name), row.country, row.owner_id,
                                             row.updated_at)
    return sorted(found.values(), key=lambda c: c.id)


def existing_ids(session: Session, model: Any, column: Any, keys: Iterable[str]) -> dict[str, int]:
    keys = [k for k in set(keys) if k]
    if not keys:
        return {}
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):  # stay under SQLite's bound-parameter limit
        chunk = keys[start : start + 500]
        found.update({key: id_ for id_, key in session.execute(select(model.id, column).where(column.in_(chunk)))})
    return found


def insert_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        # The table, not the mapped class: a plain executemany, without the ORM's per-row bookkeeping.
        session.execute(insert(model.__table__), rows)


def new_row(model: Any, row: dict[str, Any], stamp: datetime) -> dict[str, Any]:
    """Every column set, so a batch of inserts is one executemany, not one per key set."""
    base: dict[str, Any] = dict.fromkeys(_insert_columns(model)) | {"created_at": stamp}
    if model is Deal:
        base |= {"stage": "prospecting", "currency": "USD", "qualification": {}}
    return base | row


@cache
def _insert_columns(model: Any) -> tuple[str, ...]:
    return tuple(column.key for column in model.__table__.columns if column.key != "id")


def update_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(update(model), rows)  # bulk UPDATE by primary key


@dataclass
class AccountIndex:
    """Accounts an import may link to or change (shared ones and those of owners in ``allowed``)
    by domain, external id and lower-case name; and the domains and ids other people's accounts hold,
    which an import must neither reuse nor touch."""

    by_domain: dict[str, int]
    by_external: dict[str, int]
    by_name: dict[str, int]
    taken_domains: set[str]
    taken_externals: set[str]

    def known(self, name: object, domain: object, external: object) -> int | None:
        return (self.by_external.get(str(external or "")) or self.by_domain.get(str(domain or ""))
                or self.by_name.get(str(name or "").lower()))

    def taken(self, domain: object, external: object) -> bool:
        return str(domain or "") in self.taken_domains or str(external or "") in self.taken_externals


def account_index(session: Session, allowed_owners: set[int] | None) -> AccountIndex:
    """``allowed_owners`` None: every account (an admin's import)."""
    index = AccountIndex({}, {}, {}, set(), set())
    for id_, domain, external, name, owner_id in session.execute(
        select(Account.id, Account.domain, Account.external_id, Account.name, Account.owner_id)
    ):
        if owner_id is not None and allowed_owners is not None and owner_id not in allowed_owners:
            if domain:
                index.taken_domains.add(domain)
            if external:
                index.taken_externals.add(external)
            continue
        if domain:
            index.by_domain[domain] = id_
        if external:
            index.by_external[external] = id_
        index.by_name.setdefault(name.lower(), id_)
    return index


MODELS = {"contacts": Contact, "accounts": Account, "deals": Deal, "touches": Touch}


def contacts_by_email(session: Session, emails: list[str]) -> dict[str, tuple[int, int]]:
    """email -> (contact id, owner id), for the emails that exist."""
    found: dict[str, tuple[int, int]] = {}
    unique = list(set(emails))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        query = select(Contact.email, Contact.id, Contact.owner_id).where(Contact.email.in_(chunk))
        found.update({str(email): (id_, owner) for email, id_, owner in session.execute(query)})
    return found


def deals_by_external(session: Session, keys: list[str]) -> dict[str, tuple[int, int]]:
    """external id -> (deal id, owner id), for the ids that exist."""
    unique = [k for k in set(keys) if k]
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
        chunk = unique[start : start + 500]
        query = select(Deal.external_id, Deal.id, Deal.owner_id).where(Deal.external_id.in_(chunk))
        found.update({str(key): (id_, owner) for key, id_, owner in session.execute(query)})
    return found


def users_by_id(session: Session) -> dict[int, User]:
    return {user.id: user for user in session.scalars(select(User))}


def latest_deal_of_touches(session: Session, contact_id: int) -> int | None:
    return session.scalar(
        select(Touch.deal_id).where(Touch.contact_id == contact_id, Touch.deal_id.is_not(None))
        .order_by(Touch.occurred_at.desc()).limit(1)
    )
