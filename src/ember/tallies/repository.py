"""Every query behind the running counts: the touches to fold in, the counts themselves, the cursor."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, delete, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ember.db import insert_or_ignore, read_many
from ember.models import (
    ActivityTally,
    CallDayTally,
    CallHourTally,
    Contact,
    Deal,
    DealCycleTally,
    DealEndTally,
    DealTouchTally,
    FtcDayTally,
    FtcTally,
    TallyCursor,
    Touch,
    TouchOutcome,
    User,
)
from ember.tallies.rules import (
    ALL_REPS,
    ALL_TIME,
    STALLED,
    UNDATED,
    ActivityCount,
    ActivityKey,
    ActivitySlice,
    CallSlice,
    CycleKey,
    CycleSlice,
    DayHourKey,
    DealSlice,
    EndingKey,
    EndingSlice,
    FtcDayKey,
    FtcKey,
    FtcSlice,
    HourKey,
    months_between,
)
from ember.vocabulary import CONVERSATION_OUTCOMES, Channel, Outcome

CURSOR = "touches"  # one cursor: every table folds in the same touches in the same transaction
FOLLOW_UP_LABEL = "follow-up #%"
FTC_LABEL = "FTC #%"
WRITE_CHUNK = 5000  # rows per upsert statement
READ_CHUNK = 500  # ids per IN list: well under SQLite's bound-parameter limit


def conversation_outcomes(session: Session) -> frozenset[str]:
    """Built-in outcomes that are a conversation, plus the team-defined ones that count as one."""
    custom = session.scalars(select(TouchOutcome.name).where(TouchOutcome.counts_as_conversation.is_(True)))
    return frozenset(str(o) for o in CONVERSATION_OUTCOMES) | frozenset(custom)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- which touches ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TouchRange:
    """A set of touches; every field given narrows it."""

    rep_ids: tuple[int, ...] | None = None  # None: every rep
    since: datetime | None = None
    before: datetime | None = None
    after_id: int | None = None
    upto_id: int | None = None
    touch_ids: tuple[int, ...] | None = None
    contact_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.rep_ids is not None:
            out.append(Touch.rep_id.in_(self.rep_ids))
        elif self.before is not None:
            # A slice of time over every rep: naming the reps lets the database walk each rep's touches
            # by time (an index it has) instead of every touch there is.
            out.append(Touch.rep_id.in_(select(User.id)))
        if self.since is not None:
            out.append(Touch.occurred_at >= self.since)
        if self.before is not None:
            out.append(Touch.occurred_at < self.before)
        if self.after_id is not None:
            out.append(Touch.id > self.after_id)
        if self.upto_id is not None:
            out.append(Touch.id <= self.upto_id)
        if self.touch_ids is not None:
            out.append(Touch.id.in_(self.touch_ids))
        if self.contact_id is not None:
            out.append(Touch.contact_id == self.contact_id)
        return out


def last_touch_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Touch.id))) or 0)


def commits_in_id_order(session: Session) -> bool:
    """SQLite has one writer at a time, so a touch id seen means every lower one is committed. On
    PostgreSQL ids come from a sequence: a transaction still running may hold a lower id than one
    already committed."""
    return _dialect(session) == "sqlite"


def first_touch_created_after(session: Session, *, after_id: int, upto_id: int, moment: datetime) -> int | None:
    """The lowest id in (after_id, upto_id] of a touch written after ``moment``."""
    found = session.scalar(select(func.min(Touch.id))
                           .where(Touch.id > after_id, Touch.id <= upto_id, Touch.created_at > moment))
    return int(found) if found is not None else None


# --- the touches, grouped as the counts need them -------------------------------

def _hour_bucket(session: Session, column: Any) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The UTC hour as text, and its quarter (minutes // 15)."""
    if _dialect(session) == "sqlite":
        # Instants are stored as 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC, so the hour and the
        # minutes are slices of it: cutting text is cheaper than strftime parsing it, which
        # counted on millions of calls.
        return func.substr(column, 1, 13), cast(func.substr(column, 15, 2), Integer) // 15
    utc = func.timezone("UTC", column)
    return func.to_char(utc, "YYYY-MM-DD HH24"), cast(func.extract("minute", utc), Integer) // 15


def _month_text(session: Session, column: Any) -> ColumnElement[Any]:
    if _dialect(session) == "sqlite":
        return func.substr(column, 1, 7)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM")


def _day_text(session: Session, column: Any) -> ColumnElement[Any]:
    if _dialect(session) == "sqlite":
        return func.substr(column, 1, 10)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")


def call_slices(session: Session, touches: TouchRange, outcomes: Iterable[str], *,
                by_rep: bool = True) -> list[CallSlice]:
    """Calls and connects per UTC hour and prospect time zone (and rep, unless ``by_rep`` is false:
    then every slice carries rep 0).

    Grouped by quarter hour, so that a call to a zone 30 or 45 minutes off the hour lands in the
    right local hour. (Grouping the other zones by the hour needed their names first: a distinct
    over every contact, which cost more than the extra rows.)
    """
    hour, quarter = _hour_bucket(session, Touch.occurred_at)
    connected = case((Touch.outcome.in_(sorted(outcomes)), 1), else_=0)
    rep = Touch.rep_id if by_rep else literal(ALL_REPS)
    groups = [Contact.timezone, hour, quarter] + ([Touch.rep_id] if by_rep else [])
    query = (select(rep.label("rep_id"), Contact.timezone, hour.label("hour"), quarter.label("quarter"),
                    func.count().label("calls"), func.sum(connected).label("connects"))
             .join(Contact, Contact.id == Touch.contact_id)
             .where(Touch.channel == Channel.CALL.value, *touches.conditions())
             .group_by(*groups))
    starts: dict[tuple[str, int], datetime] = {}  # a few thousand quarter hours among a million calls
    out = []
    for row in read_many(session, query):
        key = (row.hour, int(row.quarter))
        start = starts.get(key)
        if start is None:
            start = starts[key] = datetime.fromisoformat(f"{row.hour}:{15 * key[1]:02d}")
        out.append(CallSlice(int(row.rep_id), row.timezone, start, int(row.calls), int(row.connects or 0)))
    return out


def activity_slices(session: Session, touches: TouchRange) -> list[ActivitySlice]:
    """Touches per rep, UTC month, channel and outcome."""
    month = _month_text(session, Touch.occurred_at).label("month")
    query = (select(Touch.rep_id, month, Touch.channel, Touch.outcome, func.count().label("touches"))
             .where(*touches.conditions())
             .group_by(Touch.rep_id, month, Touch.channel, Touch.outcome))
    return [ActivitySlice(int(row.rep_id), date.fromisoformat(f"{row.month}-01"), row.channel, row.outcome,
                          int(row.touches)) for row in read_many(session, query)]


def ftc_slices(session: Session, touches: TouchRange, outcomes: Iterable[str]) -> list[FtcSlice]:
    """First conversations (a conversation labelled as a first-time-call attempt) per rep, UTC day and label."""
    day = _day_text(session, Touch.occurred_at).label("day")
    query = (select(Touch.rep_id, day, Touch.label, func.count().label("contacts"))
             .where(Touch.outcome.in_(sorted(outcomes)), Touch.label.like(FTC_LABEL), *touches.conditions())
             .group_by(Touch.rep_id, day, Touch.label))
    days: dict[str, date] = {}  # a few hundred days among a batch's conversations
    out = []
    for row in read_many(session, query):
        found = days.get(row.day)
        if found is None:
            found = days[row.day] = date.fromisoformat(row.day)
        out.append(FtcSlice(int(row.rep_id), found, row.label, int(row.contacts)))
    return out


def deal_slices(session: Session, touches: TouchRange) -> list[DealSlice]:
    """Per deal: its follow-up touches and its "said no" touches among these."""
    follow_up = func.sum(case((Touch.label.like(FOLLOW_UP_LABEL), 1), else_=0)).label("follow_ups")
    said_no = func.sum(case((Touch.outcome == Outcome.SAID_NO.value, 1), else_=0)).label("said_no")
    query = (select(Touch.deal_id, follow_up, said_no)
             .where(Touch.deal_id.is_not(None), *touches.conditions()).group_by(Touch.deal_id))
    return [DealSlice(int(row.deal_id), int(row.follow_ups or 0), int(row.said_no or 0))
            for row in read_many(session, query) if row.follow_ups or row.said_no]


def whole_days(session: Session, start: Any, end: Any) -> ColumnElement[int]:
    """Whole days between two instants, in the engine's own date arithmetic."""
    if _dialect(session) == "sqlite":
        return cast(func.julianday(end) - func.julianday(start), Integer)
    return cast(func.floor(func.extract("epoch", end - start) / 86400), Integer)


def _month_of(text: str | None) -> date:
    return date.fromisoformat(f"{text}-01") if text else UNDATED


def _chunks(deal_ids: Collection[int] | None) -> list[list[int] | None]:
    """The ids a chunk at a time (None: every deal, in one read)."""
    if deal_ids is None:
        return [None]
    ids = sorted(set(deal_ids))
    return [ids[start:start + READ_CHUNK] for start in range(0, len(ids), READ_CHUNK)]


def ending_slices(session: Session, deal_ids: Collection[int] | None) -> list[EndingSlice]:
    """The ended deals among these (None: every deal), grouped as the ending counts keep them, with
    the follow-ups and "said no" touches counted so far."""
    ended_at = func.coalesce(Deal.closed_at, Deal.stalled_at)
    month = _month_text(session, ended_at).label("month")
    outcome = func.coalesce(Deal.outcome, STALLED).label("outcome")
    said_no = (func.coalesce(DealTouchTally.said_no, 0) > 0).label("said_no")
    follow_ups = func.coalesce(DealTouchTally.follow_ups, 0).label("follow_ups")
    out = []
    for chunk in _chunks(deal_ids):
        which = [Deal.id.in_(chunk)] if chunk is not None else []
        query = (select(Deal.owner_id, month, outcome, said_no, follow_ups, func.count())
                 .outerjoin(DealTouchTally, DealTouchTally.deal_id == Deal.id)
                 .where(or_(Deal.outcome.is_not(None), Deal.stalled_at.is_not(None)), *which)
                 .group_by(Deal.owner_id, month, outcome, said_no, follow_ups))
        out += [EndingSlice(int(owner), _month_of(month_text), str(result), bool(no), int(fu), int(deals))
                for owner, month_text, result, no, fu, deals in read_many(session, query)]
    return out


def cycle_slices(session: Session, deal_ids: Collection[int] | None) -> list[CycleSlice]:
    """The closed deals among these (None: every deal), grouped as the cycle counts keep them."""
    month = _month_text(session, Deal.closed_at).label("month")
    days = whole_days(session, Deal.created_at, Deal.closed_at).label("days")
    out = []
    for chunk in _chunks(deal_ids):
        which = [Deal.id.in_(chunk)] if chunk is not None else []
        query = (select(Deal.owner_id, month, Deal.outcome, days, func.count())
                 .where(Deal.outcome.is_not(None), Deal.closed_at.is_not(None), *which)
                 .group_by(Deal.owner_id, month, Deal.outcome, days))
        out += [CycleSlice(int(owner), _month_of(month_text), str(result), int(n_days), int(deals))
                for owner, month_text, result, n_days, deals in read_many(session, query)]
    return out


def drop_deal_counts(session: Session, deal_ids: Collection[int]) -> None:
    """The touch counts of deals that no longer exist among these: a deal deleted takes its own with it
    (its touches stay, with no deal), so that no later deal can inherit them."""
    gone = select(Deal.id).where(Deal.id == DealTouchTally.deal_id).exists()
    for chunk in _chunks(deal_ids):
        session.execute(delete(DealTouchTally).where(DealTouchTally.deal_id.in_(chunk or []), ~gone))


# --- the counts ---------------------------------------------------------------------

def _upsert(session: Session, table: Any, keys: list[str], added: list[str], rows: list[dict[str, Any]]) -> None:
    """Add to the counts of existing rows, insert the others."""
    module: Any = postgresql if _dialect(session) == "postgresql" else sqlite
    statement = module.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={name: getattr(table.c, name) + getattr(statement.excluded, name) for name in added})
    for start in range(0, len(rows), WRITE_CHUNK):
        session.execute(statement, rows[start:start + WRITE_CHUNK])


def add_hour_counts(session: Session, counts: Mapping[HourKey, list[int]]) -> None:
    rows = [{"rep_id": rep, "weekday": weekday, "hour": hour, "month": month, "calls": calls, "connects": connects}
            for (rep, weekday, hour, month), (calls, connects) in counts.items() if calls or connects]
    _upsert(session, CallHourTally.__table__, ["rep_id", "weekday", "hour", "month"], ["calls", "connects"], rows)


def add_day_hour_counts(session: Session, counts: Mapping[DayHourKey, list[int]]) -> None:
    rows = [{"day": day, "weekday": weekday, "hour": hour, "calls": calls, "connects": connects}
            for (day, weekday, hour), (calls, connects) in counts.items() if calls or connects]
    _upsert(session, CallDayTally.__table__, ["day", "weekday", "hour"], ["calls", "connects"], rows)


def add_activity_counts(session: Session, counts: Mapping[ActivityKey, int]) -> None:
    rows = [{"rep_id": rep, "channel": channel, "outcome": outcome, "month": month, "touches": touches}
            for (rep, channel, outcome, month), touches in counts.items() if touches]
    _upsert(session, ActivityTally.__table__, ["rep_id", "channel", "outcome", "month"], ["touches"], rows)


def add_ftc_counts(session: Session, counts: Mapping[FtcKey, int]) -> None:
    rows = [{"rep_id": rep, "attempt": attempt, "month": month, "contacts": contacts}
            for (rep, attempt, month), contacts in counts.items() if contacts]
    _upsert(session, FtcTally.__table__, ["rep_id", "attempt", "month"], ["contacts"], rows)


def add_ftc_day_counts(session: Session, counts: Mapping[FtcDayKey, int]) -> None:
    rows = [{"day": day, "attempt": attempt, "contacts": contacts}
            for (day, attempt), contacts in counts.items() if contacts]
    _upsert(session, FtcDayTally.__table__, ["day", "attempt"], ["contacts"], rows)


def add_deal_counts(session: Session, counts: Mapping[int, tuple[int, int]]) -> None:
    rows = [{"deal_id": deal, "follow_ups": follow_ups, "said_no": said_no}
            for deal, (follow_ups, said_no) in counts.items() if follow_ups or said_no]
    _upsert(session, DealTouchTally.__table__, ["deal_id"], ["follow_ups", "said_no"], rows)


def add_ending_counts(session: Session, counts: Mapping[EndingKey, int]) -> None:
    rows = [{"owner_id": owner, "month": month, "outcome": outcome, "said_no": said_no, "follow_ups": follow_ups,
             "deals": deals} for (owner, month, outcome, said_no, follow_ups), deals in sorted(counts.items()) if deals]
    _upsert(session, DealEndTally.__table__, ["owner_id", "month", "outcome", "said_no", "follow_ups"], ["deals"],
            rows)


def add_cycle_counts(session: Session, counts: Mapping[CycleKey, int]) -> None:
    rows = [{"owner_id": owner, "month": month, "outcome": outcome, "days": days, "deals": deals}
            for (owner, month, outcome, days), deals in sorted(counts.items()) if deals]
    _upsert(session, DealCycleTally.__table__, ["owner_id", "month", "outcome", "days"], ["deals"], rows)


@dataclass(frozen=True, slots=True)
class HourCount:
    weekday: int
    hour: int
    calls: int
    connects: int


def hour_counts(session: Session, rep_ids: tuple[int, ...] | None, from_month: date | None) -> list[HourCount]:
    """Calls and connects by local (weekday, hour) over the months from ``from_month`` on (every month: None)."""
    t = CallHourTally
    who = t.rep_id == ALL_REPS if rep_ids is None else t.rep_id.in_(rep_ids)
    months = [t.month >= from_month] if from_month is not None else []
    query = (select(t.weekday, t.hour, func.sum(t.calls).label("calls"), func.sum(t.connects).label("connects"))
             .where(who, *months).group_by(t.weekday, t.hour))
    return [HourCount(int(r.weekday), int(r.hour), int(r.calls or 0), int(r.connects or 0))
            for r in read_many(session, query)]


def day_hour_counts(session: Session, first_day: date, end_day: date) -> list[HourCount]:
    """Every rep's calls and connects by local (weekday, hour) over the UTC days from ``first_day`` up to
    ``end_day``."""
    t = CallDayTally
    query = (select(t.weekday, t.hour, func.sum(t.calls).label("calls"), func.sum(t.connects).label("connects"))
             .where(t.day >= first_day, t.day < end_day).group_by(t.weekday, t.hour))
    return [HourCount(int(r.weekday), int(r.hour), int(r.calls or 0), int(r.connects or 0))
            for r in read_many(session, query)]


def activity_counts(session: Session, rep_ids: tuple[int, ...] | None,
                    from_month: date | None) -> list[ActivityCount]:
    """Touches by rep, channel and outcome over the months from ``from_month`` on (every month: None).
    The same key may come twice, once with a negative count: the rows add up."""
    t = ActivityTally
    if from_month is None:
        return _activity_sums(session, rep_ids, t.month == ALL_TIME)
    if not _fewer_months_before(session, from_month):
        return _activity_sums(session, rep_ids, t.month >= from_month)
    # A period over most of the history: all of it, less the few months before the period. Two reads:
    # asked in one, SQLite sorted both ranges together instead of walking the all-history one in order.
    earlier = _activity_sums(session, rep_ids, and_(t.month > ALL_TIME, t.month < from_month))
    return _activity_sums(session, rep_ids, t.month == ALL_TIME) + [row._replace(touches=-row.touches)
                                                                      for row in earlier]


def _activity_sums(session: Session, rep_ids: tuple[int, ...] | None,
                   months: ColumnElement[bool]) -> list[ActivityCount]:
    t = ActivityTally
    who = [t.rep_id.in_(rep_ids)] if rep_ids is not None else []
    query = (select(t.rep_id, t.channel, t.outcome, func.sum(t.touches))
             .where(*who, months).group_by(t.rep_id, t.channel, t.outcome))
    return list(map(ActivityCount._make, read_many(session, query)))


def _fewer_months_before(session: Session, from_month: date) -> bool:
    """Fewer months of activity counted before ``from_month`` than from it on (two probes of the month index)."""
    t = ActivityTally
    first = session.scalar(select(func.min(t.month)).where(t.month > ALL_TIME))
    last = session.scalar(select(func.max(t.month)))
    if first is None or last is None:
        return False
    return months_between(first, from_month) < months_between(from_month, last) + 1


def ftc_counts(session: Session, rep_ids: tuple[int, ...] | None, from_month: date | None) -> dict[int, int]:
    """{attempt: contacts first reached on it} over the months from ``from_month`` on."""
    t = FtcTally
    who = t.rep_id == ALL_REPS if rep_ids is None else t.rep_id.in_(rep_ids)
    months = [t.month >= from_month] if from_month is not None else []
    query = select(t.attempt, func.sum(t.contacts).label("contacts")).where(who, *months).group_by(t.attempt)
    return {int(r.attempt): int(r.contacts) for r in read_many(session, query) if r.contacts}


def ftc_day_counts(session: Session, first_day: date, end_day: date) -> dict[int, int]:
    """{attempt: contacts first reached on it} by every rep over the UTC days from ``first_day`` up to ``end_day``."""
    t = FtcDayTally
    query = (select(t.attempt, func.sum(t.contacts).label("contacts"))
             .where(t.day >= first_day, t.day < end_day).group_by(t.attempt))
    return {int(r.attempt): int(r.contacts) for r in read_many(session, query) if r.contacts}


def ending_counts(session: Session, owner_ids: tuple[int, ...] | None,
                  from_month: date | None) -> list[EndingSlice]:
    """Ended deals by outcome, "said no" and follow-ups over the months from ``from_month`` on (every
    month, and the deals with no date they ended: None); owner 0 stands for them all."""
    t = DealEndTally
    who = t.owner_id == ALL_REPS if owner_ids is None else t.owner_id.in_(owner_ids)
    months = [t.month >= from_month] if from_month is not None else []
    query = (select(t.outcome, t.said_no, t.follow_ups, func.sum(t.deals))
             .where(who, *months).group_by(t.outcome, t.said_no, t.follow_ups))
    return [EndingSlice(ALL_REPS, UNDATED, str(outcome), bool(said_no), int(follow_ups), int(deals))
            for outcome, said_no, follow_ups, deals in read_many(session, query) if deals]


def cycle_counts(session: Session, owner_ids: tuple[int, ...] | None, from_month: date | None) -> list[CycleSlice]:
    """Closed deals by outcome and days from creation to close, over the months from ``from_month`` on."""
    t = DealCycleTally
    who = t.owner_id == ALL_REPS if owner_ids is None else t.owner_id.in_(owner_ids)
    months = [t.month >= from_month] if from_month is not None else []
    query = select(t.outcome, t.days, func.sum(t.deals)).where(who, *months).group_by(t.outcome, t.days)
    return [CycleSlice(ALL_REPS, UNDATED, str(outcome), int(days), int(deals))
            for outcome, days, deals in read_many(session, query) if deals]


def deal_tally() -> Any:
    """The per-deal counts, for a query that joins them to its deals."""
    return DealTouchTally


# --- the cursor ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Cursor:
    last_touch_id: int
    basis: str


def cursor(session: Session) -> Cursor | None:
    row = session.execute(select(TallyCursor.last_touch_id, TallyCursor.basis)
                          .where(TallyCursor.name == CURSOR)).one_or_none()
    return Cursor(int(row.last_touch_id), row.basis) if row is not None else None


def hold_cursor(session: Session, now: datetime) -> Cursor | None:
    """The cursor, locked until this transaction ends: folds and recounts of the same touches take turns."""
    session.execute(update(TallyCursor).where(TallyCursor.name == CURSOR).values(updated_at=now))
    return cursor(session)


def move_cursor(session: Session, *, start: int, end: int, basis: str, now: datetime) -> bool:
    """Claim the touches with ids in (start, end]: false when another fold moved the cursor first."""
    moved = session.execute(update(TallyCursor)
                            .where(TallyCursor.name == CURSOR, TallyCursor.last_touch_id == start,
                                   TallyCursor.basis == basis)
                            .values(last_touch_id=end, updated_at=now))
    return bool(getattr(moved, "rowcount", 0) == 1)


def cursor_down_to_last_touch(session: Session) -> None:
    """After touches were deleted: the cursor no higher than the last touch left. SQLite gives a new
    row the highest id plus one, so without this a touch logged after the newest ones were deleted
    could take an id the cursor has already passed."""
    last = select(func.coalesce(func.max(Touch.id), 0)).scalar_subquery()
    session.execute(update(TallyCursor).where(TallyCursor.name == CURSOR, TallyCursor.last_touch_id > last)
                    .values(last_touch_id=last))


def start_over(session: Session, basis: str, now: datetime) -> None:
    """Empty counts, a cursor at the start: the next folds count every touch again."""
    for table in (CallHourTally, CallDayTally, ActivityTally, FtcTally, FtcDayTally, DealTouchTally, DealEndTally,
                  DealCycleTally):
        session.execute(delete(table))
    session.execute(insert_or_ignore(session, TallyCursor.__table__)
                    .values(name=CURSOR, last_touch_id=0, basis=basis, updated_at=now))
    session.execute(update(TallyCursor).where(TallyCursor.name == CURSOR)
                    .values(last_touch_id=0, basis=basis, updated_at=now))
