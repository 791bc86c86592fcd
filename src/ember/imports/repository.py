"""Batch lookups and writes for imports: one query per batch, never per row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import Session, aliased

from ember.imports.values import name_key
from ember.models import Account, Contact, Deal, Touch, User
from ember.users.access import Actor
from ember.users.repository import owner_scope


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


def insert_rows_with_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """As ``insert_rows``, and the ids the new rows were given."""
    if not rows:
        return []
    return list(session.scalars(insert(model.__table__).returning(model.__table__.c.id), rows))


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


@dataclass(frozen=True, slots=True)
class Owned:
    """A stored record an import row names, and who owns it."""

    id: int
    owner_id: int


def contacts_by_email(session: Session, emails: list[str]) -> dict[str, Owned]:
    """email -> the contact with it, for the emails that exist."""
    found: dict[str, Owned] = {}
    unique = list(set(emails))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        query = select(Contact.email, Contact.id, Contact.owner_id).where(Contact.email.in_(chunk))
        found.update({str(email): Owned(id_, owner) for email, id_, owner in session.execute(query)})
    return found


def deals_by_external(session: Session, keys: list[str]) -> dict[str, Owned]:
    """external id -> the deal with it, for the ids that exist."""
    unique = [k for k in set(keys) if k]
    found: dict[str, Owned] = {}
    for start in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
        chunk = unique[start : start + 500]
        query = select(Deal.external_id, Deal.id, Deal.owner_id).where(Deal.external_id.in_(chunk))
        found.update({str(key): Owned(id_, owner) for key, id_, owner in session.execute(query)})
    return found


def users_by_id(session: Session) -> dict[int, User]:
    return {user.id: user for user in session.scalars(select(User))}


def latest_deal_of_touches(session: Session, contact_id: int) -> int | None:
    return session.scalar(
        select(Touch.deal_id).where(Touch.contact_id == contact_id, Touch.deal_id.is_not(None))
        .order_by(Touch.occurred_at.desc()).limit(1)
    )


# ---- export: rows in the order of the export's columns, streamed ----------------------------

class ContactExport(NamedTuple):
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    title: str | None
    linkedin_url: str | None
    company: str | None
    company_domain: str | None
    country: str | None
    timezone: str | None
    decision_role: str
    preferred_channel: str | None
    status: str
    owner: str
    external_id: str | None
    mobile_phone: str | None
    home_phone: str | None
    other_phone: str | None
    assistant_phone: str | None
    do_not_call: bool
    do_not_email: bool


class AccountExport(NamedTuple):
    name: str
    domain: str | None
    country: str | None
    timezone: str | None
    industry: str | None
    size: int | None  # employees
    owner: str | None
    external_id: str | None


class DealExport(NamedTuple):
    name: str
    account: str | None
    product: str | None
    amount: Decimal | None
    currency: str
    stage: str
    source: str | None
    referred_by: str | None
    created: datetime
    closed: datetime | None
    outcome: str | None
    outcome_reason: str | None
    owner: str
    external_id: str | None


R = TypeVar("R", ContactExport, AccountExport, DealExport)
_EXPORT_BATCH = 2000


def _streamed(record: type[R], session: Session, query: Select[*tuple[Any, ...]]) -> Iterator[R]:
    """Named records, a batch at a time (an export of a million rows stays flat in memory); the
    columns are matched to the record's fields by label once, before the first row."""
    result = session.execute(query.execution_options(yield_per=_EXPORT_BATCH))
    if tuple(result.keys()) != record._fields:
        raise TypeError(f"{record.__name__} holds {record._fields}; the query gives {tuple(result.keys())}")
    make = record._make
    for found in result:
        yield make(found)


def contacts_to_export(session: Session, actor: Actor) -> Iterator[ContactExport]:
    owner = aliased(User)
    return _streamed(ContactExport, session, (
        select(Contact.first_name, Contact.last_name, Contact.email, Contact.phone, Contact.title,
               Contact.linkedin_url, Account.name.label("company"), Account.domain.label("company_domain"),
               Contact.country, Contact.timezone, Contact.decision_role, Contact.preferred_channel, Contact.status,
               owner.email.label("owner"), Contact.external_id, Contact.mobile_phone, Contact.home_phone,
               Contact.other_phone, Contact.assistant_phone, Contact.do_not_call, Contact.do_not_email)
        .join(owner, owner.id == Contact.owner_id)
        .outerjoin(Account, Account.id == Contact.account_id)
        .where(owner_scope(actor, Contact.owner_id))
        .order_by(Contact.id)
    ))


def accounts_to_export(session: Session, actor: Actor) -> Iterator[AccountExport]:
    owner = aliased(User)
    return _streamed(AccountExport, session, (
        select(Account.name, Account.domain, Account.country, Account.timezone, Account.industry, Account.size,
               owner.email.label("owner"), Account.external_id)
        .outerjoin(owner, owner.id == Account.owner_id)
        .where(Account.owner_id.is_(None) | owner_scope(actor, Account.owner_id))
        .order_by(Account.id)
    ))


def deals_to_export(session: Session, actor: Actor) -> Iterator[DealExport]:
    owner = aliased(User)
    return _streamed(DealExport, session, (
        select(Deal.name, Account.name.label("account"), Deal.product, Deal.amount, Deal.currency, Deal.stage,
               Deal.source, Deal.referred_by_name.label("referred_by"), Deal.created_at.label("created"),
               Deal.closed_at.label("closed"), Deal.outcome, Deal.outcome_reason, owner.email.label("owner"),
               Deal.external_id)
        .join(owner, owner.id == Deal.owner_id)
        .outerjoin(Account, Account.id == Deal.account_id)
        .where(owner_scope(actor, Deal.owner_id))
        .order_by(Deal.id)
    ))
