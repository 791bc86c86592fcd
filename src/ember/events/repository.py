"""Every query about event sources, inbound events and trigger rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Dialect, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ember.db import insert_or_ignore
from ember.events.rules import EventFact, EventIn, RuleSpec
from ember.models import Contact, Deal, DealStakeholder, EventSource, InboundEvent, TriggerRule, User
from ember.vocabulary import CLOSED_STAGES, EventType

# ---- sources ---------------------------------------------------------------

def all_sources(session: Session) -> list[EventSource]:
    return list(session.scalars(select(EventSource).order_by(EventSource.name)))


def source_by_name(session: Session, name: str) -> EventSource | None:
    return session.scalar(select(EventSource).where(EventSource.name == name))


# ---- inbound events --------------------------------------------------------

def delete_events_received_before(session: Session, cutoff: datetime, limit: int) -> int:
    """Delete up to ``limit`` events that arrived before ``cutoff`` and are no longer waiting
    to be handled (oldest first); how many went."""
    oldest = (select(InboundEvent.id).where(InboundEvent.received_at < cutoff, InboundEvent.status != "pending")
              .order_by(InboundEvent.id).limit(limit))
    ids = list(session.scalars(oldest))
    if ids:
        session.execute(delete(InboundEvent).where(InboundEvent.id.in_(ids)).execution_options(
            synchronize_session=False))
    return len(ids)


def insert_events(session: Session, source: str, events: Sequence[EventIn], *, received_at: datetime) -> list[int]:
    """Store the events that are new for this source; the ids of those inserted, nothing for repeats."""
    if not events:
        return []
    rows = [{"source": source, "external_id": e.external_id, "type": e.type, "email": e.email,
             "anonymous_id": e.anonymous_id, "url": e.url, "payload": e.payload, "occurred_at": e.occurred_at,
             "received_at": received_at, "status": "pending"} for e in events]
    # Core on the session's connection, rows as parameters (one cached statement, sent as
    # multi-row VALUES): the ORM's bulk layer and per-call compiling cost more than the insert.
    stmt = insert_or_ignore(session, InboundEvent).returning(InboundEvent.id)
    return [int(i) for i in session.connection().execute(stmt, rows).scalars()]


_INSERT_KEYS: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class InsertedEvent:
    """An event row the insert created (a key stored before gives none)."""

    id: int
    source: str
    external_id: str


def insert_events_returning_keys(conn: Connection,
                                 rows: Sequence[tuple[str, EventIn, datetime]]) -> list[InsertedEvent]:
    """Insert-or-ignore (source, event, received at) rows on a connection: the keys of the new ones.

    One statement per dialect, built once and compiled once (SQLAlchemy's cache), sent
    as multi-row VALUES; the caller owns the transaction.
    """
    if not rows:
        return []
    dialect = conn.dialect.name
    stmt = _INSERT_KEYS.get(dialect)
    if stmt is None:
        module = postgresql if dialect == "postgresql" else sqlite
        stmt = _INSERT_KEYS[dialect] = (module.insert(InboundEvent).on_conflict_do_nothing()
                                        .returning(InboundEvent.id, InboundEvent.source, InboundEvent.external_id))
    params = [{"source": source, "external_id": e.external_id, "type": e.type, "email": e.email,
               "anonymous_id": e.anonymous_id, "url": e.url, "payload": e.payload, "occurred_at": e.occurred_at,
               "received_at": received_at, "status": "pending"} for source, e, received_at in rows]
    # The columns are the RETURNING clause built above, in this order: no matching by label needed
    # on the intake's hot path.
    return [InsertedEvent(id_, source, external_id) for id_, source, external_id in conn.execute(stmt, params)]


_SETTLED_COLUMNS = ("source", "external_id", "type", "email", "anonymous_id", "url", "payload", "occurred_at",
                    "received_at", "status", "handled_at")


@dataclass(frozen=True)
class _DriverInsert:
    """An insert-or-ignore of fixed columns compiled once for a dialect, with each column's bind
    processor: rows go to the driver's executemany as made here, a column at a time, without
    SQLAlchemy building and processing a parameter dict per row (most of the cost of a 100-row
    insert, before this). Columns in ``shared`` hold a few values repeated over many rows (the
    time a batch came in): each value is processed once."""

    sql: str
    names: tuple[str, ...]  # in the statement's order
    positional: bool  # "?" (SQLite) rather than "%(name)s" (psycopg)
    processors: tuple[Callable[[Any], Any] | None, ...]
    shared: frozenset[str]

    @classmethod
    def of(cls, dialect: Dialect, columns: tuple[str, ...], shared: frozenset[str]) -> _DriverInsert:
        module = postgresql if dialect.name == "postgresql" else sqlite
        compiled = module.insert(InboundEvent).on_conflict_do_nothing().compile(dialect=dialect,
                                                                                column_keys=list(columns))
        names = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else columns
        table = InboundEvent.__table__
        return cls(compiled.string, names, compiled.positional,
                   tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names), shared)

    def execute(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        columns: list[list[Any]] = []
        for name, process in zip(self.names, self.processors, strict=True):
            raw = [row[name] for row in rows]
            if process is None:
                columns.append(raw)
            elif name in self.shared:
                done = {value: process(value) for value in set(raw)}
                columns.append([done[value] for value in raw])
            else:
                columns.append([process(value) for value in raw])
        values = list(zip(*columns, strict=True))
        conn.exec_driver_sql(self.sql, values if self.positional else [dict(zip(self.names, v, strict=True))
                                                                        for v in values])


_INSERT_SETTLED: dict[str, _DriverInsert] = {}


def insert_settled_events(conn: Connection, rows: Sequence[tuple[str, EventIn, datetime]], now: datetime) -> None:
    """Insert-or-ignore (source, event, received at) rows already handled: events that belong to
    nobody yet. Nobody asks for their ids, so the rows go as one executemany, with no RETURNING."""
    if not rows:
        return
    insert = _INSERT_SETTLED.get(conn.dialect.name)
    if insert is None:
        insert = _INSERT_SETTLED[conn.dialect.name] = _DriverInsert.of(
            conn.dialect, _SETTLED_COLUMNS, frozenset({"received_at", "handled_at"}))
    insert.execute(conn, [
        {"source": source, "external_id": e.external_id, "type": e.type, "email": e.email,
         "anonymous_id": e.anonymous_id, "url": e.url, "payload": e.payload, "occurred_at": e.occurred_at,
         "received_at": received_at, "status": "handled", "handled_at": now} for source, e, received_at in rows])


_TIED_VISITORS = (select(InboundEvent.anonymous_id).distinct()
                  .where(InboundEvent.anonymous_id.in_(bindparam("visitors", expanding=True)),
                         InboundEvent.contact_id.is_not(None)))


def tied_visitors(conn: Connection, anonymous_ids: Sequence[str]) -> set[str]:
    """Those of these visitor ids that some event tied to a contact, ever: one probe each of the
    index that holds only tied events."""
    if not anonymous_ids:
        return set()
    return {str(v) for v in conn.execute(_TIED_VISITORS, {"visitors": list(anonymous_ids)}).scalars()}


_CONTACT_EMAILS = select(Contact.email).where(Contact.email.in_(bindparam("emails", expanding=True)))


def contact_emails(conn: Connection, emails: Sequence[str]) -> set[str]:
    """Those of these emails that a contact has, as stored."""
    if not emails:
        return set()
    return {str(e) for e in conn.execute(_CONTACT_EMAILS, {"emails": list(emails)}).scalars()}


def pending_event_ids(session: Session, received_before: datetime, limit: int) -> list[int]:
    return list(session.scalars(
        select(InboundEvent.id).where(InboundEvent.status == "pending", InboundEvent.received_at <= received_before)
        .order_by(InboundEvent.id).limit(limit)))


def claim_event(session: Session, event_id: int, now: datetime) -> InboundEvent | None:
    """Mark the event handled inside the caller's transaction, if nobody did yet.

    The write comes first on purpose: the row lock (PostgreSQL) or the write lock
    (SQLite) makes a second worker wait here and then find nothing to claim, and a
    worker killed before committing leaves the event pending for the sweep.
    """
    claimed = session.execute(
        update(InboundEvent).where(InboundEvent.id == event_id, InboundEvent.status == "pending")
        .values(status="handled", handled_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(InboundEvent, event_id, populate_existing=True)


# How many of a visitor's latest settled events are looked at to tell whether someone is
# behind it. A tie spreads to every earlier event of the visitor and every later one takes
# the full path, so the latest events say it; a window of a few rides out a race or a failed
# event, and keeps the check to a few index steps however long the visitor's history.
KNOWN_VISITOR_WINDOW = 5


def _known_visitor() -> Any:
    """EXISTS: one of the latest settled events of this event's visitor is tied to a contact.

    Settled: handled (or failed), or already tied; an untied pending event (this one, or
    others waiting in the queue) says nothing yet. The horizon is the id of the
    window's oldest event, so the tied-event search is a short range of the visitor's
    index entries rather than its whole history.
    """
    recent = InboundEvent.__table__.alias("recent")
    earlier = InboundEvent.__table__.alias("earlier")
    horizon = (select(recent.c.id)
               .where(recent.c.anonymous_id == InboundEvent.anonymous_id,
                      or_(recent.c.status != "pending", recent.c.contact_id.is_not(None)))
               .order_by(recent.c.id.desc()).limit(1).offset(KNOWN_VISITOR_WINDOW - 1)
               .correlate(InboundEvent).scalar_subquery())
    return (select(earlier.c.id)
            .where(earlier.c.anonymous_id == InboundEvent.anonymous_id, earlier.c.contact_id.is_not(None),
                   earlier.c.id >= func.coalesce(horizon, 0))
            .correlate(InboundEvent).exists())


_CLAIM: list[Any] = []


def _claim_statement() -> Any:
    """Built once (the subqueries cost more to build than to run); ids and time are parameters."""
    if not _CLAIM:
        known_email = select(Contact.id).where(Contact.email == InboundEvent.email).exists()
        _CLAIM.append(
            update(InboundEvent)
            .where(InboundEvent.id.in_(bindparam("ids", expanding=True)), InboundEvent.status == "pending",
                   InboundEvent.type != EventType.ALIAS.value,  # an alias may tie its other ids to someone
                   InboundEvent.contact_id.is_(None), InboundEvent.payload["contact_id"].as_string().is_(None),
                   or_(InboundEvent.email.is_(None), ~known_email),
                   or_(InboundEvent.anonymous_id.is_(None), ~_known_visitor()))
            .values(status="handled", handled_at=bindparam("now"))
            .returning(InboundEvent.id)
            .execution_options(synchronize_session=False))
    return _CLAIM[0]


def claim_contactless(session: Session | Connection, event_ids: Sequence[int], now: datetime) -> list[int]:
    """Mark handled, in one statement, those of these pending events that belong to nobody yet.

    Exactly the events for which :func:`ember.events.service.process_event` would find
    no contact and only claim them: no contact id, no signed-link contact in the
    payload, no contact with the email, no recent event of the same anonymous visitor
    tied to a contact. One write under the write lock, so it cannot race with a
    worker tying the visitor to someone. The ids claimed; the rest need the full path.
    """
    if not event_ids:
        return []
    result = session.execute(_claim_statement(), {"ids": list(event_ids), "now": now})
    return [int(i) for i in result.scalars()]


def mark_failed(session: Session, event_id: int) -> None:
    session.execute(update(InboundEvent).where(InboundEvent.id == event_id).values(status="failed"))


def contact_id_for_anonymous(session: Session, anonymous_id: str) -> int | None:
    return session.scalar(
        select(InboundEvent.contact_id).where(InboundEvent.anonymous_id == anonymous_id,
                                              InboundEvent.contact_id.is_not(None))
        .order_by(InboundEvent.id.desc()).limit(1))


def unmatched_for_anonymous(session: Session, anonymous_id: str) -> list[InboundEvent]:
    return list(session.scalars(
        select(InboundEvent).where(InboundEvent.anonymous_id == anonymous_id, InboundEvent.contact_id.is_(None))
        .order_by(InboundEvent.occurred_at)))


def unmatched_for_email(session: Session, email: str) -> list[InboundEvent]:
    """Events that arrived with this email before anyone added the contact."""
    return list(session.scalars(
        select(InboundEvent).where(InboundEvent.email == email, InboundEvent.contact_id.is_(None))
        .order_by(InboundEvent.occurred_at)))


def recent_facts(session: Session, contact_id: int, since: datetime) -> list[EventFact]:
    rows = session.execute(
        select(InboundEvent.type, InboundEvent.url, InboundEvent.occurred_at)
        .where(InboundEvent.contact_id == contact_id, InboundEvent.occurred_at >= since))
    return [EventFact(type_, url, at) for type_, url, at in rows]


def event_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(InboundEvent.status, func.count()).group_by(InboundEvent.status))
    return {status: int(count) for status, count in rows}


@dataclass(frozen=True, slots=True)
class ContactEvent:
    contact_id: int
    fact: EventFact


def recent_of_type(session: Session, event_type: str, since: datetime, team_id: int | None,
                   limit: int) -> list[ContactEvent]:
    """Matched events of one type since ``since``, newest first; only the contacts of a team's reps
    when ``team_id`` is given."""
    query = (select(InboundEvent.contact_id, InboundEvent.type, InboundEvent.url, InboundEvent.occurred_at)
             .where(InboundEvent.type == event_type, InboundEvent.occurred_at >= since,
                    InboundEvent.contact_id.is_not(None)))
    if team_id is not None:
        query = query.join(Contact, Contact.id == InboundEvent.contact_id).join(User, User.id == Contact.owner_id) \
            .where(User.team_id == team_id)
    rows = session.execute(query.order_by(InboundEvent.occurred_at.desc()).limit(limit))
    return [ContactEvent(contact_id, EventFact(type_, url, at))
            for contact_id, type_, url, at in rows if contact_id is not None]


@dataclass(frozen=True, slots=True)
class ContactWithState:
    contact: Contact
    on_stalled_deal: bool  # on an open deal that stalled


def contacts_with_state(session: Session, contact_ids: Sequence[int]) -> list[ContactWithState]:
    """The contacts, each with whether it is on an open stalled deal."""
    if not contact_ids:
        return []
    closed = [s.value for s in CLOSED_STAGES]
    stalled = set(session.scalars(
        select(DealStakeholder.contact_id).join(Deal, Deal.id == DealStakeholder.deal_id)
        .where(DealStakeholder.contact_id.in_(contact_ids), Deal.stalled_at.is_not(None), Deal.stage.not_in(closed))))
    contacts = session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))
    return [ContactWithState(contact, contact.id in stalled) for contact in contacts]


# ---- contacts, as the matching needs them ----------------------------------

def contact_by_email(session: Session, email: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.email == email.lower()))


def has_stalled_deal(session: Session, contact_id: int) -> bool:
    closed = [s.value for s in CLOSED_STAGES]
    return session.scalar(
        select(Deal.id).join(DealStakeholder, DealStakeholder.deal_id == Deal.id)
        .where(DealStakeholder.contact_id == contact_id, Deal.stalled_at.is_not(None), Deal.stage.not_in(closed))
        .limit(1)) is not None


def owner_team(session: Session, owner_id: int) -> int | None:
    return session.scalar(select(User.team_id).where(User.id == owner_id))


# ---- trigger rules ----------------------------------------------------------

def to_spec(rule: TriggerRule) -> RuleSpec:
    return RuleSpec(rule.id, rule.name, rule.event_type, rule.url_pattern, rule.min_count, rule.window_hours,
                    rule.audience, rule.is_active)


def rules_for_team(session: Session, team_id: int | None, *, active_only: bool = True) -> list[TriggerRule]:
    query = select(TriggerRule).where(or_(TriggerRule.team_id.is_(None), TriggerRule.team_id == team_id))
    if active_only:
        query = query.where(TriggerRule.is_active.is_(True))
    return list(session.scalars(query.order_by(TriggerRule.id)))


def rule_by_id(session: Session, rule_id: int) -> TriggerRule | None:
    return session.get(TriggerRule, rule_id)


def insert_default_rules(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert-or-ignore: another worker may be seeding the same defaults."""
    session.execute(insert_or_ignore(session, TriggerRule), rows)


def any_rule(session: Session) -> bool:
    return session.scalar(select(TriggerRule.id).limit(1)) is not None


def all_rules(session: Session) -> list[TriggerRule]:
    return list(session.scalars(select(TriggerRule).order_by(TriggerRule.id)))


def lock_contact(session: Session, contact_id: int) -> None:
    session.execute(select(Contact.id).where(Contact.id == contact_id).with_for_update())
