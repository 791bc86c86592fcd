"""Every query of planning: one contact's history and open plans, and the bulk re-plan's reads
and writes.

The bulk re-plan reads one id range of contacts as plain rows. Two readers give the same
``RangeRows``: ``SQLiteReader`` goes through the raw sqlite3 driver, ``CoreReader`` through
SQLAlchemy Core (PostgreSQL, and the reference the SQLite reader is tested against).

Why a raw SQLite path: with ten million touches, reading through Core cost more than planning
them. Every datetime went through ``UTCDateTime``'s result processor (a ``replace(tzinfo=UTC)``,
slow in CPython 3.11) and every row through Core's result machinery. The driver hands back the
stored text (naive UTC, see ``models.base.UTCDateTime``), parsed here with one ``fromisoformat``
call.

Histories come back in label order (``cadence.attempts.ordered``: occurred_at, then id), sorted by
the database: on SQLite straight from the ``(contact_id, occurred_at)`` index, whose entries end
with the rowid (the id), so no sort step at all. ``plan_next(..., presorted=True)`` then skips its
own sort.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from ember.cadence.attempts import TouchFact
from ember.db import typed_rows
from ember.models import (
    Account,
    Alert,
    Contact,
    Deal,
    DealStakeholder,
    MessageVariant,
    PlannedTouch,
    Touch,
    TouchOutcome,
    User,
)
from ember.vocabulary import CLOSED_STAGES, CONVERSATION_OUTCOMES, PlannedTouchStatus


def planned_touch_by_id(session: Session, plan_id: int) -> PlannedTouch | None:
    return session.get(PlannedTouch, plan_id)


def cancel_planned(session: Session, contact_id: int, *, kinds: tuple[str, ...] | None = None) -> None:
    """Retire the contact's open plans: a new touch or a new plan replaces them."""
    query = update(PlannedTouch).where(
        PlannedTouch.contact_id == contact_id, PlannedTouch.status == PlannedTouchStatus.PLANNED.value
    )
    if kinds:
        query = query.where(PlannedTouch.kind.in_(kinds))
    session.execute(query.values(status=PlannedTouchStatus.CANCELLED.value))


def planned_booking(session: Session, booking_key: str) -> PlannedTouch | None:
    """The planned meeting of a booking, when it is still to be held."""
    return session.scalar(
        select(PlannedTouch).where(PlannedTouch.booking_key == booking_key,
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value).limit(1)
    )


def cancel_booking(session: Session, booking_key: str) -> int:
    """Call off the planned meeting of a booking; how many were still planned."""
    result = session.execute(
        update(PlannedTouch).where(PlannedTouch.booking_key == booking_key,
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value)
        .values(status=PlannedTouchStatus.CANCELLED.value).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def planned_meetings(session: Session, contact_id: int) -> list[PlannedTouch]:
    """Meetings the contact booked that are still to be held, soonest first."""
    return list(session.scalars(
        select(PlannedTouch).where(PlannedTouch.contact_id == contact_id, PlannedTouch.kind == "meeting",
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value)
        .order_by(PlannedTouch.due_at)
    ))


def open_plan(session: Session, contact_id: int) -> PlannedTouch | None:
    return session.scalar(
        select(PlannedTouch).where(PlannedTouch.contact_id == contact_id,
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value,
                                   PlannedTouch.kind != "multithread")
        .order_by(PlannedTouch.due_at).limit(1)
    )


@dataclass(frozen=True, slots=True)
class ReachedPerson:
    """A stakeholder of the deal someone actually spoke with, and their say in the decision."""

    contact_id: int
    name: str
    role: str


def reached_roles(session: Session, deal_id: int) -> list[ReachedPerson]:
    """The deal's stakeholders someone actually spoke with."""
    talked = select(Touch.contact_id).where(
        Touch.deal_id == deal_id, Touch.outcome.in_([o.value for o in CONVERSATION_OUTCOMES])
    )
    rows = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Contact.decision_role, DealStakeholder.role)
        .join(DealStakeholder, DealStakeholder.contact_id == Contact.id)
        .where(DealStakeholder.deal_id == deal_id, Contact.id.in_(talked))
    )
    # The role on this deal wins over the contact's general role when it is known.
    return [ReachedPerson(id_, f"{first} {last}".strip(), deal_role if deal_role != "unknown" else role)
            for id_, first, last, role, deal_role in rows]


def has_open_multithread(session: Session, deal_id: int) -> bool:
    return session.scalar(
        select(PlannedTouch.id).where(PlannedTouch.deal_id == deal_id, PlannedTouch.kind == "multithread",
                                      PlannedTouch.status == PlannedTouchStatus.PLANNED.value).limit(1)
    ) is not None


def close_multithread(session: Session, deal_id: int) -> None:
    session.execute(
        update(PlannedTouch).where(PlannedTouch.deal_id == deal_id, PlannedTouch.kind == "multithread",
                                   PlannedTouch.status == PlannedTouchStatus.PLANNED.value)
        .values(status=PlannedTouchStatus.DONE.value)
    )


def touch_facts(session: Session, contact_id: int) -> list[TouchFact]:
    rows = session.execute(
        select(Touch.id, Touch.occurred_at, Touch.outcome, Touch.channel, Touch.deal_id,
               MessageVariant.key.label("variant_key"), Touch.callback_at)
        .outerjoin(MessageVariant, MessageVariant.id == Touch.message_variant_id)
        .where(Touch.contact_id == contact_id)
    )
    return typed_rows(TouchFact, rows)


def open_deal_ids(session: Session, deal_ids: Collection[int]) -> set[int]:
    """Those of these deals that are not closed."""
    if not deal_ids:
        return set()
    closed = [stage.value for stage in CLOSED_STAGES]
    return set(session.scalars(select(Deal.id).where(Deal.id.in_(list(deal_ids)), Deal.stage.not_in(closed))))


def custom_outcomes(session: Session, team_id: int | None) -> dict[str, bool]:
    query = select(TouchOutcome.name, TouchOutcome.counts_as_conversation)
    query = query.where((TouchOutcome.team_id.is_(None)) | (TouchOutcome.team_id == team_id))
    return {name: counts for name, counts in session.execute(query)}


# ---- the bulk re-plan: reads ------------------------------------------------------------------------

# id, owner_id, timezone, country, preferred_channel, status, phone, email,
# linkedin_url, account timezone, account country
ContactRow = tuple[int, int, str | None, str | None, str | None, str, str | None, str | None, str | None,
                   bool, bool, str | None, str | None]
DealRow = tuple[str, str | None, str | None]  # stage, source, referred_by_name
AlertRow = tuple[datetime, str]  # created_at, summary of the contact's latest alert


@dataclass(frozen=True, slots=True)
class RangeRows:
    contacts: list[ContactRow]  # by id
    touches: dict[int, list[TouchFact]]  # contact id -> history in label order
    deals: dict[int, DealRow]  # every deal a touch of the range names
    alerts: dict[int, AlertRow]  # contact id -> latest alert


# --- SQLite, raw driver -------------------------------------------------------------------------------

# Safe for the user's database: they size caches and map pages, they do not
# touch journaling or syncing. mmap saves copying each page read into the
# page cache; the reads are a few GB on a million contacts.
READ_PRAGMAS = (
    "PRAGMA cache_size=-131072",  # 128 MB
    "PRAGMA temp_store=MEMORY",
    "PRAGMA mmap_size=4294967296",  # 4 GB of address space, not memory
    "PRAGMA query_only=ON",  # a reader never writes
    "PRAGMA busy_timeout=30000",
)

_CONTACTS_SQL = """
SELECT c.id, c.owner_id, c.timezone, c.country, c.preferred_channel, c.status,
       c.phone, c.email, c.linkedin_url, c.do_not_call, c.do_not_email, a.timezone, a.country
FROM contacts AS c LEFT OUTER JOIN accounts AS a ON a.id = c.account_id
WHERE c.id >= ? AND c.id < ?
ORDER BY c.id
"""
# ORDER BY is what the index already gives: no sort step (checked in the tests).
_TOUCHES_SQL = """
SELECT contact_id, id, occurred_at, outcome, channel, deal_id, message_variant_id, callback_at
FROM touches
WHERE contact_id >= ? AND contact_id < ?
ORDER BY contact_id, occurred_at, id
"""
_ALERTS_SQL = """
SELECT contact_id, created_at, summary FROM alerts
WHERE contact_id >= ? AND contact_id < ?
ORDER BY created_at
"""
_DEALS_SQL = "SELECT id, stage, source, referred_by_name FROM deals WHERE id IN ({})"
_DEAL_BATCH = 900  # under SQLITE_MAX_VARIABLE_NUMBER on every SQLite version

_from_iso = datetime.fromisoformat


def stored_instant(text: str) -> datetime:
    """An aware UTC datetime from the naive UTC text SQLAlchemy stores on SQLite.

    Parsing with the offset appended gives the same value as ``.replace(tzinfo=UTC)``
    (the ``UTC`` singleton as tzinfo) at a seventh of the cost.
    """
    return _from_iso(text + "+00:00")


# TouchFact is a frozen dataclass: its generated __init__ sets each field through
# object.__setattr__ by name, which cost half of the read time for ten million
# touches. Setting the slots through their descriptors stores the same fields,
# about twice as fast. Valid only while TouchFact has no __post_init__ (checked).
assert not hasattr(TouchFact, "__post_init__")
_TOUCH_SLOTS = tuple(getattr(TouchFact, f.name).__set__ for f in fields(TouchFact))
assert [f.name for f in fields(TouchFact)] == [
    "id", "occurred_at", "outcome", "channel", "deal_id", "variant_key", "callback_at"]
(_set_id, _set_occurred_at, _set_outcome, _set_channel, _set_deal_id, _set_variant_key,
 _set_callback_at) = _TOUCH_SLOTS
_new = object.__new__


def touch_fact(touch_id: int, occurred_at: datetime, outcome: str, channel: str, deal_id: int | None,
               variant_key: str | None, callback_at: datetime | None) -> TouchFact:
    """``TouchFact(...)``, faster (see above); equal to it field for field."""
    fact: TouchFact = _new(TouchFact)
    _set_id(fact, touch_id)
    _set_occurred_at(fact, occurred_at)
    _set_outcome(fact, outcome)
    _set_channel(fact, channel)
    _set_deal_id(fact, deal_id)
    _set_variant_key(fact, variant_key)
    _set_callback_at(fact, callback_at)
    return fact


def connect_sqlite(path: str) -> sqlite3.Connection:
    """A read connection for one worker (autocommit: transactions are explicit)."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    for pragma in READ_PRAGMAS:
        conn.execute(pragma)
    return conn


class SQLiteReader:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.variant_keys = dict(conn.execute('SELECT id, "key" FROM message_variants').fetchall())

    def read(self, low: int, high: int) -> RangeRows:
        # One read transaction: the four queries see one snapshot.
        self.conn.execute("BEGIN")
        try:
            contacts: list[ContactRow] = self.conn.execute(_CONTACTS_SQL, (low, high)).fetchall()
            touches, deal_ids = self._touches(low, high)
            deals = self._deals(deal_ids)
            alerts = {cid: (stored_instant(created), summary)
                      for cid, created, summary in self.conn.execute(_ALERTS_SQL, (low, high))}
        finally:
            self.conn.execute("COMMIT")
        return RangeRows(contacts, touches, deals, alerts)

    def _touches(self, low: int, high: int) -> tuple[dict[int, list[TouchFact]], set[int]]:
        # The hot loop of the read (ten rows per contact): locals only, no helper calls
        # but touch_fact.
        histories: dict[int, list[TouchFact]] = {}
        deal_ids: set[int] = set()
        keys, make, parse = self.variant_keys, touch_fact, _from_iso
        current: int | None = None
        history: list[TouchFact] = []
        for cid, tid, occurred, outcome, channel, deal_id, variant_id, callback in self.conn.execute(
                _TOUCHES_SQL, (low, high)):
            if cid != current:
                current, history = cid, []
                histories[cid] = history
            if deal_id is not None:
                deal_ids.add(deal_id)
            history.append(make(tid, parse(occurred + "+00:00"), outcome, channel, deal_id, keys.get(variant_id),
                                parse(callback + "+00:00") if callback is not None else None))
        return histories, deal_ids

    def _deals(self, deal_ids: Iterable[int]) -> dict[int, DealRow]:
        ids = list(deal_ids)
        deals: dict[int, DealRow] = {}
        for start in range(0, len(ids), _DEAL_BATCH):
            batch = ids[start : start + _DEAL_BATCH]
            sql = _DEALS_SQL.format(",".join("?" * len(batch)))
            for deal_id, stage, source, referred in self.conn.execute(sql, batch):
                deals[deal_id] = (stage, source, referred)
        return deals


# --- SQLAlchemy Core (PostgreSQL) ---------------------------------------------------------------------

class CoreReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def read(self, low: int, high: int) -> RangeRows:
        with self.engine.connect() as conn, conn.begin():
            contacts: list[Any] = [tuple(row) for row in conn.execute(
                select(Contact.id, Contact.owner_id, Contact.timezone, Contact.country, Contact.preferred_channel,
                       Contact.status, Contact.phone, Contact.email, Contact.linkedin_url, Contact.do_not_call,
                       Contact.do_not_email, Account.timezone, Account.country)
                .outerjoin(Account, Account.id == Contact.account_id)
                .where(Contact.id >= low, Contact.id < high).order_by(Contact.id))]
            touches: dict[int, list[TouchFact]] = {}
            rows = conn.execute(
                select(Touch.contact_id, Touch.id, Touch.occurred_at, Touch.outcome, Touch.channel, Touch.deal_id,
                       MessageVariant.key, Touch.callback_at)
                .outerjoin(MessageVariant, MessageVariant.id == Touch.message_variant_id)
                .where(Touch.contact_id >= low, Touch.contact_id < high)
                .order_by(Touch.contact_id, Touch.occurred_at, Touch.id))
            for cid, touch_id, occurred_at, outcome, channel, deal_id, key, callback_at in rows:
                touches.setdefault(cid, []).append(
                    TouchFact(touch_id, occurred_at, outcome, channel, deal_id, key, callback_at))
            deal_ids = {t.deal_id for facts in touches.values() for t in facts if t.deal_id is not None}
            deals: dict[int, DealRow] = {
                deal_id: (stage, source, referred) for deal_id, stage, source, referred in conn.execute(
                    select(Deal.id, Deal.stage, Deal.source, Deal.referred_by_name).where(Deal.id.in_(deal_ids)))}
            alerts: dict[int, AlertRow] = {
                cid: (created, summary) for cid, created, summary in conn.execute(
                    select(Alert.contact_id, Alert.created_at, Alert.summary)
                    .where(Alert.contact_id >= low, Alert.contact_id < high).order_by(Alert.created_at))}
        return RangeRows(contacts, touches, deals, alerts)


# ---- the bulk re-plan: what planning reads besides the contacts ------------------------------------

def user_teams(session: Session) -> dict[int, int | None]:
    """User id -> team id: whose settings, library and outcomes plan the user's contacts."""
    return {user_id: team_id for user_id, team_id in session.execute(select(User.id, User.team_id))}


@dataclass(frozen=True, slots=True)
class TeamOutcome:
    """An outcome a team (or, with no team, everyone) added to the built-in ones."""

    team_id: int | None
    name: str
    counts_as_conversation: bool


def team_outcomes(session: Session) -> list[TeamOutcome]:
    return typed_rows(TeamOutcome, session.execute(
        select(TouchOutcome.team_id, TouchOutcome.name, TouchOutcome.counts_as_conversation)))


@dataclass(frozen=True, slots=True)
class IdRange:
    low: int
    high: int  # the last id, included


def contact_id_range(engine: Engine) -> IdRange | None:
    """The lowest and highest contact id; None when there are no contacts."""
    with engine.connect() as conn:
        low, high = conn.execute(select(func.min(Contact.id), func.max(Contact.id))).one()
    return IdRange(low, high) if low is not None else None


# ---- the bulk re-plan: writes -------------------------------------------------------------------------

# Plans a re-plan replaces: the ones planning makes (a booked meeting or a reply to write stays).
REPLANNED_KINDS = ("ftc", "follow_up", "callback", "trigger")
# Columns of a plan row, in the order the bulk re-plan's workers build them.
PLAN_COLUMNS = ("contact_id", "deal_id", "rep_id", "kind", "channel", "due_at", "label", "purpose",
                "message_variant_id", "reason", "status", "created_at")
_INSERT_SQLITE = (f"INSERT INTO planned_touches ({', '.join(PLAN_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(PLAN_COLUMNS))})")
# Main-process PRAGMAs for the writes: a bigger page cache, in-memory temp
# tables, and WAL checkpoints every 256 MB of WAL instead of every 4 MB: each
# range rewrites many of the same index pages, and a checkpoint per range
# copied them back (with an fsync) forty times over; it was half the commit
# time. Journaling and syncing stay as the user set them, so durability is
# unchanged; the values are restored when the run ends.
_WRITE_PRAGMAS = {"cache_size": -131072, "temp_store": 2, "wal_autocheckpoint": 65536}
_PLANNED = PlannedTouchStatus.PLANNED.value

# A re-plan replaces the open plans outright: they never happened, so unlike a plan a new
# touch supersedes (kept as cancelled), they are not history worth keeping, and deleting
# them costs SQLite less index work than rewriting their status.
_REPLACE = delete(PlannedTouch).where(
    PlannedTouch.contact_id >= bindparam("low"), PlannedTouch.contact_id < bindparam("high"),
    PlannedTouch.status == _PLANNED, PlannedTouch.kind.in_(REPLANNED_KINDS),
)
_SET_STATUS = update(Contact).where(Contact.id == bindparam("contact")).values(status=bindparam("new_status"))


def swap_plans(conn: Connection, low: int, high: int, plans: Sequence[Sequence[Any]],
               statuses: Sequence[tuple[int, str]]) -> None:
    """Swap the open plans of contacts ``low`` to ``high`` (excluded) for new ones (``PLAN_COLUMNS``,
    values in the database's storage format) and set the contact statuses that change, in one
    transaction."""
    with conn.begin():
        conn.execute(_REPLACE, {"low": low, "high": high})
        if plans and conn.dialect.name == "sqlite":
            conn.exec_driver_sql(_INSERT_SQLITE, list(plans))  # the driver's executemany, no conversion
        elif plans:
            conn.execute(insert(PlannedTouch), [dict(zip(PLAN_COLUMNS, row, strict=True)) for row in plans])
        if statuses:
            conn.execute(_SET_STATUS, [{"contact": cid, "new_status": status} for cid, status in statuses])


def tune_for_writes(conn: Connection) -> dict[str, Any]:
    """SQLite: the write PRAGMAs for this run; returns the old values to restore."""
    if conn.dialect.name != "sqlite":
        return {}
    old = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in _WRITE_PRAGMAS}
    set_pragmas(conn, _WRITE_PRAGMAS)
    return old


def set_pragmas(conn: Connection, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        conn.exec_driver_sql(f"PRAGMA {name}={int(value)}")
