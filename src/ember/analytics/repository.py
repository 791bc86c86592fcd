"""Every query behind the team's numbers.

Each read groups in SQL and returns few rows (a histogram, a grid of hours),
so the cost stays in the database engine whatever the size of the history.
Deals are counted in the period they closed (or stalled), contacts in the
period of the touch that counted, activity in the period it happened.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from ember.analytics.metrics import ActivityRow, CallRow, Funnel, HourRow
from ember.db import read_many, typed_rows
from ember.models import (
    Alert,
    Call,
    Contact,
    Deal,
    DealStakeholder,
    NextStep,
    NurtureMembership,
    PlannedTouch,
    Team,
    Touch,
    User,
)
from ember.tallies import repository as tally_repo
from ember.tallies.repository import HourCount, TouchRange
from ember.tallies.repository import conversation_outcomes as conversation_outcomes
from ember.tallies.repository import last_touch_id as last_touch_id
from ember.vocabulary import DealOutcome, Outcome, PlannedTouchStatus, Role

FOLLOW_UP_LABEL = "follow-up #%"
FTC_LABEL = "FTC #%"


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose numbers and since when: ``rep_ids`` None means every rep."""

    rep_ids: tuple[int, ...] | None
    since: datetime | None = None

    def owned(self, column: Any) -> ColumnElement[bool]:
        return true() if self.rep_ids is None else column.in_(self.rep_ids)

    def after(self, column: Any) -> ColumnElement[bool]:
        return true() if self.since is None else column >= self.since

    def touches(self, part: Part | None = None) -> TouchRange:
        """This scope's touches, or the part of them given."""
        part = part or Part()
        return TouchRange(rep_ids=self.rep_ids, since=part.since or self.since, before=part.before,
                          after_id=part.after_id, upto_id=part.upto_id)


@dataclass(frozen=True, slots=True)
class Part:
    """A part of a scope's touches: before an instant, and/or within a range of ids (or, with ``since``,
    the touches of a stretch just before the scope's start)."""

    before: datetime | None = None
    after_id: int | None = None
    upto_id: int | None = None
    since: datetime | None = None  # from here instead of the scope's start
    sign: int = 1  # -1: touches the running counts hold that the period does not: taken out

    @property
    def empty(self) -> bool:
        """No touch can be in it (every touch is folded in): no need to ask."""
        return self.after_id is not None and self.upto_id is not None and self.upto_id <= self.after_id


@dataclass(frozen=True, slots=True)
class Counted:
    """The running counts are usable: they hold the months from ``from_month`` on (every month: None),
    and ``tail`` is the part of the touches not folded into them yet."""

    from_month: date | None
    tail: Part

    def edge(self, scope: Scope) -> tuple[int, Scope, datetime] | None:
        """Where the counted months and the period differ: (+1, the period, up to the first counted
        month) to add, or (-1, from the counted month's start, up to the period's) to take out; None
        when they agree."""
        if self.from_month is None or scope.since is None:
            return None
        start = datetime(self.from_month.year, self.from_month.month, 1, tzinfo=UTC)
        if start > scope.since:
            return 1, scope, start
        if start < scope.since:
            return -1, Scope(scope.rep_ids, start), scope.since
        return None


def _dialect(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name


# --- people -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TeamName:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class RepName:
    id: int
    name: str
    email: str
    team_id: int | None


def teams(session: Session) -> list[TeamName]:
    return typed_rows(TeamName, session.execute(select(Team.id, Team.name).order_by(Team.name)))


def reps(session: Session, team_id: int | None) -> list[RepName]:
    """The active reps, of one team or all, by name."""
    query = select(User.id, User.name, User.email, User.team_id).where(
        User.role == Role.REP.value, User.is_active.is_(True))
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return typed_rows(RepName, session.execute(query.order_by(User.name)))


# --- deals: follow-ups to close, give-up points, cycle length ----------------

def _follow_ups() -> Any:
    return (select(func.count()).select_from(Touch)
            .where(Touch.deal_id == Deal.id, Touch.label.like(FOLLOW_UP_LABEL))
            .correlate(Deal).scalar_subquery())


def _said_no() -> Any:
    return exists().where(Touch.deal_id == Deal.id, Touch.outcome == Outcome.SAID_NO.value).correlate(Deal)


def _ended_at() -> Any:
    return func.coalesce(Deal.closed_at, Deal.stalled_at)


@dataclass(frozen=True, slots=True)
class FollowUpCount:
    """How many deals ended this way after this many follow-ups."""

    outcome: str | None
    stalled: bool
    said_no: bool  # someone on the deal said no
    follow_ups: int
    deals: int


@dataclass(frozen=True, slots=True)
class CycleCount:
    outcome: str
    days: int  # from the deal's creation to its close
    deals: int


def deal_follow_ups(session: Session, scope: Scope, counted: Counted | None = None) -> list[FollowUpCount]:
    """Deals closed or stalled in the period, counted by how they ended and their follow-ups.

    With ``counted`` (the running counts are usable), the months come from the ending counts, the
    period's first partial month from the deals (added, or the days before the period taken out of
    its month, as the touches are), and the deals that touches not
    folded in yet belong to are taken out as counted and put back as their touches say.
    """
    if counted is None:
        return _follow_up_counts(session, scope, _said_no(), _follow_ups())
    tally = tally_repo.deal_tally()
    said_no, follow_ups = func.coalesce(tally.said_no, 0) > 0, func.coalesce(tally.follow_ups, 0)
    totals: Counter[tuple[str | None, bool, bool, int]] = Counter()
    for ending in tally_repo.ending_counts(session, scope.rep_ids, counted.from_month):
        totals[(ending.outcome or None, not ending.outcome, ending.said_no, ending.follow_ups)] += ending.deals
    edge = counted.edge(scope)
    parts = [(edge[0], edge[1], said_no, follow_ups, _ended_at() < edge[2], tally)] if edge is not None else []
    if not counted.tail.empty:
        fresh = Deal.id.in_(select(Touch.deal_id).where(Touch.deal_id.is_not(None), *TouchRange(
            after_id=counted.tail.after_id, upto_id=counted.tail.upto_id).conditions()))
        parts += [(-1, scope, said_no, follow_ups, fresh, tally), (+1, scope, _said_no(), _follow_ups(), fresh, None)]
    for sign, where_scope, deal_said_no, deal_follow_ups_, where, joined in parts:
        for row in _follow_up_counts(session, where_scope, deal_said_no, deal_follow_ups_, where, joined=joined):
            totals[(row.outcome, row.stalled, row.said_no, row.follow_ups)] += sign * row.deals
    return [FollowUpCount(outcome, stalled, said, fu, deals)
            for (outcome, stalled, said, fu), deals in totals.items() if deals]


def _follow_up_counts(session: Session, scope: Scope, said_no: Any, follow_ups: Any,
                      *where: ColumnElement[bool], joined: Any = None) -> list[FollowUpCount]:
    ended = or_(Deal.outcome.is_not(None), Deal.stalled_at.is_not(None))
    inner = select(Deal.outcome.label("outcome"),
                   (Deal.stalled_at.is_not(None) & Deal.outcome.is_(None)).label("stalled"),
                   said_no.label("said_no"), follow_ups.label("fu")).select_from(Deal)
    if joined is not None:
        inner = inner.outerjoin(joined, joined.deal_id == Deal.id)
    sub = inner.where(ended, scope.owned(Deal.owner_id), scope.after(_ended_at()), *where).subquery()
    query = (select(sub.c.outcome, sub.c.stalled, sub.c.said_no, sub.c.fu, func.count())
             .group_by(sub.c.outcome, sub.c.stalled, sub.c.said_no, sub.c.fu))
    return [FollowUpCount(outcome, bool(stalled), bool(said_no), int(fu), int(deals))
            for outcome, stalled, said_no, fu, deals in read_many(session, query)]


def _days(session: Session, start: Any, end: Any) -> ColumnElement[int]:
    return tally_repo.whole_days(session, start, end)


def cycle_days(session: Session, scope: Scope, counted: Counted | None = None) -> list[CycleCount]:
    """Deals closed in the period, counted by outcome and days from first touch to close: with
    ``counted``, the months from the cycle counts and the first partial month from its deals."""
    if counted is None:
        return _cycle_counts(session, scope)
    totals: Counter[tuple[str, int]] = Counter()
    for row in tally_repo.cycle_counts(session, scope.rep_ids, counted.from_month):
        totals[(row.outcome, max(row.days, 0))] += row.deals
    edge = counted.edge(scope)
    if edge is not None:
        sign, where_scope, end = edge
        for cycle in _cycle_counts(session, where_scope, Deal.closed_at < end):
            totals[(cycle.outcome, cycle.days)] += sign * cycle.deals
    return [CycleCount(outcome, days, deals) for (outcome, days), deals in totals.items() if deals]


def _cycle_counts(session: Session, scope: Scope, *where: ColumnElement[bool]) -> list[CycleCount]:
    days = _days(session, Deal.created_at, Deal.closed_at).label("days")
    query = (select(Deal.outcome, days, func.count())
             .where(Deal.outcome.is_not(None), Deal.closed_at.is_not(None), scope.owned(Deal.owner_id),
                    scope.after(Deal.closed_at), *where)
             .group_by(Deal.outcome, days))
    return [CycleCount(str(outcome), max(int(days), 0), int(deals))
            for outcome, days, deals in read_many(session, query)]


# --- contacts: first-time-call attempts to the first conversation ------------

def ftc_attempts(session: Session, scope: Scope, outcomes: Iterable[str], part: Part | None = None) -> dict[int, int]:
    """{attempt that got through: contacts} for first conversations in the period (or that part of it)."""
    query = (select(Touch.label, func.count())
             .where(Touch.outcome.in_(sorted(outcomes)), Touch.label.like(FTC_LABEL), *scope.touches(part).conditions())
             .group_by(Touch.label))
    histogram: dict[int, int] = {}
    for label, count in read_many(session, query):
        number = _label_number(label)
        if number is not None:
            histogram[number] = histogram.get(number, 0) + int(count)
    return histogram


def tallied_ftc(session: Session, scope: Scope, from_month: date | None) -> dict[int, int]:
    """{attempt: contacts first reached on it} as counted so far, over the months from ``from_month`` on."""
    return tally_repo.ftc_counts(session, scope.rep_ids, from_month)


def tallied_ftc_days(session: Session, first_day: date, end_day: date) -> dict[int, int]:
    """{attempt: contacts first reached on it} by every rep, as counted by day, over the UTC days
    from ``first_day`` up to ``end_day``."""
    return tally_repo.ftc_day_counts(session, first_day, end_day)


def _label_number(label: str | None) -> int | None:
    try:
        return int(str(label).rsplit("#", 1)[1])
    except (IndexError, ValueError):
        return None


# --- calls: connect rate by hour, discovery-call behaviour, coaching ---------

def call_hours(session: Session, scope: Scope, outcomes: Iterable[str], part: Part | None = None) -> list[HourRow]:
    """Calls and connects per UTC hour (or quarter hour) and prospect time zone, for calls in the period."""
    return [HourRow(row.timezone, row.utc_start, row.calls, row.connects)
            for row in tally_repo.call_slices(session, scope.touches(part), outcomes, by_rep=False)]


def tallied_hours(session: Session, scope: Scope, from_month: date | None) -> list[HourCount]:
    """Calls and connects by local (weekday, hour) as counted so far, over the months from ``from_month`` on."""
    return tally_repo.hour_counts(session, scope.rep_ids, from_month)


def tallied_day_hours(session: Session, first_day: date, end_day: date) -> list[HourCount]:
    """Every rep's calls and connects by local (weekday, hour), as counted by day, over the UTC days
    from ``first_day`` up to ``end_day``."""
    return tally_repo.day_hour_counts(session, first_day, end_day)


def _json_length(column: Any) -> ColumnElement[int]:
    # json_array_length exists under this name on SQLite and PostgreSQL (for json, not jsonb).
    return func.json_array_length(column)


def discovery_calls(session: Session, scope: Scope) -> list[CallRow]:
    """The first analysed call of each deal closed in the period, with the deal's outcome."""
    steps = (select(func.count()).select_from(NextStep).where(NextStep.call_id == Call.id)
             .correlate(Call).scalar_subquery())
    analysis = Call.analysis
    query = (select(Deal.id.label("deal_id"), Deal.outcome, steps.label("next_steps"),
                    analysis[("questions", "rep")].as_integer().label("questions"),
                    analysis["rep_talk_ratio"].as_float().label("talk_ratio"),
                    analysis["longest_rep_monologue_s"].as_float().label("monologue_s"),
                    _json_length(analysis["engaging_moments"]).label("engaging"), Touch.occurred_at, Call.id)
             .join(Touch, Touch.id == Call.touch_id).join(Deal, Deal.id == Touch.deal_id)
             .where(Deal.outcome.is_not(None), Call.analysis.is_not(None), scope.owned(Deal.owner_id),
                    scope.after(Deal.closed_at))
             .order_by(Deal.id, Touch.occurred_at, Call.id))
    first: dict[int, CallRow] = {}
    for row in read_many(session, query):
        if row.deal_id in first:
            continue
        first[row.deal_id] = CallRow(deal_id=row.deal_id, won=row.outcome == DealOutcome.WON.value,
                                     next_steps=int(row.next_steps), questions=row.questions,
                                     talk_ratio=row.talk_ratio, monologue_s=row.monologue_s, engaging=row.engaging)
    return list(first.values())


def calls_to_coach(session: Session, scope: Scope, limit: int = 40) -> list[dict[str, Any]]:
    """Recent analysed calls with their benchmark verdicts, newest first."""
    # The calls shown are picked first, so only their analyses are read (each is kilobytes of
    # JSON behind the transcript); asked at once, every analysed call's was read before sorting.
    recent = (select(Call.id).join(Touch, Touch.id == Call.touch_id)
              .where(Call.analysis.is_not(None), scope.owned(Touch.rep_id), scope.after(Touch.occurred_at))
              .order_by(Touch.occurred_at.desc(), Call.id.desc()).limit(limit))
    query = (select(Call.id.label("call_id"), Touch.occurred_at, Touch.rep_id, User.name.label("rep"),
                    Contact.id.label("contact_id"), Contact.first_name, Contact.last_name,
                    Call.analysis["benchmarks"].label("benchmarks"))
             .join(Touch, Touch.id == Call.touch_id).join(Contact, Contact.id == Touch.contact_id)
             .join(User, User.id == Touch.rep_id).where(Call.id.in_(recent))
             .order_by(Touch.occurred_at.desc(), Call.id.desc()))
    return [{"call_id": row.call_id, "at": row.occurred_at, "rep_id": row.rep_id, "rep": row.rep,
             "contact_id": row.contact_id, "contact": f"{row.first_name} {row.last_name}".strip(),
             "benchmarks": row.benchmarks or []} for row in session.execute(query)]


# --- the nurture funnel ------------------------------------------------------

def nurture_funnel(session: Session, scope: Scope) -> Funnel:
    """Contacts put on the nurture list in the period; of them, alerted again, re-opened, won after."""
    m = NurtureMembership
    alerted = exists().where(Alert.contact_id == m.contact_id, Alert.created_at >= m.started_at)
    reopened = m.ended_reason == "trigger"
    won_after = exists().where(DealStakeholder.contact_id == m.contact_id, DealStakeholder.deal_id == Deal.id,
                               Deal.outcome == DealOutcome.WON.value, Deal.closed_at >= m.ended_at)

    def contacts(condition: ColumnElement[bool] | None = None) -> Any:
        who = m.contact_id if condition is None else case((condition, m.contact_id))
        return func.count(func.distinct(who))

    # One pass over the memberships for the four counts; the owner is read only when it narrows.
    query = (select(contacts().label("nurtured"), contacts(alerted).label("triggered"),
                    contacts(reopened).label("reopened"), contacts(and_(reopened, won_after)).label("won"))
             .select_from(m).where(scope.after(m.started_at)))
    if scope.rep_ids is not None:
        query = query.join(Contact, Contact.id == m.contact_id).where(scope.owned(Contact.owner_id))
    row = session.execute(query).one()
    return Funnel(nurtured=int(row.nurtured or 0), triggered=int(row.triggered or 0),
                  reopened=int(row.reopened or 0), won=int(row.won or 0))


# --- activity, queues, stalled deals ----------------------------------------

def activity(session: Session, scope: Scope, part: Part | None = None) -> list[ActivityRow]:
    """Touches by rep, channel and outcome in the period (or that part of it)."""
    query = (select(Touch.rep_id, Touch.channel, Touch.outcome, func.count())
             .where(*scope.touches(part).conditions())
             .group_by(Touch.rep_id, Touch.channel, Touch.outcome))
    return list(map(ActivityRow._make, read_many(session, query)))


def tallied_activity(session: Session, scope: Scope, from_month: date | None) -> list[ActivityRow]:
    """Touches by rep, channel and outcome as counted so far, over the months from ``from_month`` on."""
    return tally_repo.activity_counts(session, scope.rep_ids, from_month)


def calls_analysed(session: Session, scope: Scope) -> dict[int, int]:
    # Each touch has at most one call. Asked as "touches whose id is an analysed call's", the
    # database starts from the few calls; asked as a join, SQLite walked every touch of every
    # rep and looked for a call on each (a second of CPU on ten million touches).
    analysed = select(Call.touch_id).where(Call.analysis.is_not(None))
    query = (select(Touch.rep_id, func.count())
             .where(Touch.id.in_(analysed), scope.owned(Touch.rep_id), scope.after(Touch.occurred_at))
             .group_by(Touch.rep_id))
    return {rep_id: int(calls) for rep_id, calls in session.execute(query)}


@dataclass(frozen=True, slots=True)
class QueueSize:
    due: int  # planned touches due by the end of the period asked
    overdue: int  # of them, due before now


def queue_sizes(session: Session, rep_ids: Sequence[int], until: datetime, now: datetime) -> dict[int, QueueSize]:
    """Per rep: planned touches due by ``until``, and how many of them are overdue before ``now``."""
    if not rep_ids:
        return {}
    overdue = func.sum(case((PlannedTouch.due_at < now, 1), else_=0))
    query = (select(PlannedTouch.rep_id, func.count(), overdue)
             .where(PlannedTouch.rep_id.in_(list(rep_ids)), PlannedTouch.status == PlannedTouchStatus.PLANNED.value,
                    PlannedTouch.due_at <= until)
             .group_by(PlannedTouch.rep_id))
    return {rep_id: QueueSize(int(due), int(overdue or 0)) for rep_id, due, overdue in session.execute(query)}


def stalled_deals(session: Session, scope: Scope, limit: int = 50) -> list[dict[str, Any]]:
    """Open deals that went quiet, longest-stalled first."""
    # The few deals shown are picked first: asked in one statement, the database worked out the
    # follow-ups and the contact of every stalled deal (tens of thousands) before sorting them.
    shown = (select(Deal.id).where(Deal.outcome.is_(None), Deal.stalled_at.is_not(None), scope.owned(Deal.owner_id))
             .order_by(Deal.stalled_at).limit(limit))
    query = (select(Deal.id.label("deal_id"), Deal.name, Deal.stalled_at, User.name.label("rep"),
                    _follow_ups().label("follow_ups"), _primary_contact().label("contact_id"))
             .join(User, User.id == Deal.owner_id).where(Deal.id.in_(shown))
             .order_by(Deal.stalled_at, Deal.id))
    return [{**row._asdict(), "follow_ups": int(row.follow_ups)} for row in session.execute(query)]


def _primary_contact() -> Any:
    return (select(DealStakeholder.contact_id).where(DealStakeholder.deal_id == Deal.id)
            .order_by(DealStakeholder.is_primary.desc(), DealStakeholder.id).limit(1)
            .correlate(Deal).scalar_subquery())


# --- the deals and contacts behind a figure ---------------------------------

@dataclass(frozen=True, slots=True)
class DealFilter:
    """Which deals a figure stands for; every field narrows the set."""

    outcome: str | None = None
    stalled: bool | None = None
    said_no: bool | None = None
    follow_ups: int | None = None
    days_low: int | None = None
    days_high: int | None = None  # exclusive
    deal_ids: tuple[int, ...] | None = None


def deals_behind(session: Session, scope: Scope, wanted: DealFilter, limit: int = 500) -> list[dict[str, Any]]:
    fu = _follow_ups().label("fu")
    days = _days(session, Deal.created_at, func.coalesce(Deal.closed_at, Deal.stalled_at)).label("days")
    conditions: list[ColumnElement[bool]] = [scope.owned(Deal.owner_id)]
    if wanted.deal_ids is not None:
        conditions.append(Deal.id.in_(wanted.deal_ids) if wanted.deal_ids else literal(False))
    else:
        conditions += [or_(Deal.outcome.is_not(None), Deal.stalled_at.is_not(None)), scope.after(_ended_at())]
    if wanted.outcome is not None:
        conditions.append(Deal.outcome == wanted.outcome)
    if wanted.stalled is not None:
        stalled = and_(Deal.stalled_at.is_not(None), Deal.outcome.is_(None))
        conditions.append(stalled if wanted.stalled else ~stalled)
    if wanted.said_no is not None:
        conditions.append(_said_no() if wanted.said_no else ~_said_no())
    inner = (select(Deal.id, Deal.name, Deal.outcome, Deal.closed_at, Deal.stalled_at, User.name.label("rep"),
                    fu, days, _primary_contact().label("contact_id"))
             .join(User, User.id == Deal.owner_id).where(*conditions).subquery())
    query: Select[Any] = select(inner)
    if wanted.follow_ups is not None:
        query = query.where(inner.c.fu == wanted.follow_ups)
    if wanted.days_low is not None:
        query = query.where(inner.c.days >= wanted.days_low)
    if wanted.days_high is not None:
        query = query.where(inner.c.days < wanted.days_high)
    query = query.order_by(func.coalesce(inner.c.closed_at, inner.c.stalled_at).desc()).limit(limit)
    return [dict(r._mapping) for r in session.execute(query)]


def contacts_reached_at(session: Session, scope: Scope, outcomes: Iterable[str], attempt: int,
                        limit: int = 500) -> list[dict[str, Any]]:
    """Contacts whose first conversation came on FTC attempt ``attempt``."""
    query = (select(Contact.id, Contact.first_name, Contact.last_name, Touch.occurred_at, User.name)
             .join(Contact, Contact.id == Touch.contact_id).join(User, User.id == Touch.rep_id)
             .where(Touch.outcome.in_(sorted(outcomes)), Touch.label == f"FTC #{attempt}",
                    scope.owned(Touch.rep_id), scope.after(Touch.occurred_at))
             .order_by(Touch.occurred_at.desc()).limit(limit))
    return [{"contact_id": contact_id, "name": f"{first} {last}".strip(), "at": at, "rep": rep}
            for contact_id, first, last, at, rep in session.execute(query)]
