"""Folding touches into running counts: pure arithmetic on grouped rows, no database.

A call counts in the prospect's local weekday and hour at the moment it was
placed; the month is the UTC month, so that a period starting at any instant
can be told apart month by month. Every rep's calls and first conversations are
counted by UTC day as well: a period that starts within a month reads its whole
days from those, and only the hours before its first midnight from the touches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, TypeVar
from zoneinfo import ZoneInfo

ALL_REPS = 0  # the rep id under which every rep's calls and first conversations are counted together
# The "month" under which each rep's activity is counted over all time as well: the all-history view
# reads one row per rep, channel and outcome instead of one per month.
ALL_TIME = date(1, 1, 1)
K = TypeVar("K")
FALLBACK_ZONE = "UTC"  # prospects without a (known) time zone

# The "month" of a deal that has an outcome but no date it ended: counted over all history only.
UNDATED = date(1, 1, 1)
STALLED = ""  # the outcome under which deals stalled while open are counted

HourKey = tuple[int, int, int, date]  # rep, weekday, hour, month
ActivityKey = tuple[int, str, str, date]  # rep, channel, outcome, month
FtcKey = tuple[int, int, date]  # rep, attempt, month
DayHourKey = tuple[date, int, int]  # UTC day, weekday, hour: every rep together
FtcDayKey = tuple[date, int]  # UTC day, attempt: every rep together
EndingKey = tuple[int, date, str, bool, int]  # owner, month ended, outcome, said no, follow-ups
CycleKey = tuple[int, date, str, int]  # owner, month closed, outcome, days


@dataclass(frozen=True, slots=True)
class CallSlice:
    """Calls one rep placed in one UTC quarter hour (or hour) to prospects of one time zone."""

    rep_id: int
    timezone: str | None
    utc_start: datetime  # naive means UTC
    calls: int
    connects: int


class ActivityCount(NamedTuple):
    """Touches of one rep by channel and outcome. A named tuple, made straight from a row as read:
    the all-teams view reads one per rep, channel and outcome (fifty thousand on 3,700 reps), and a
    class instance for each cost more than the sums made of them."""

    rep_id: int
    channel: str
    outcome: str
    touches: int


@dataclass(frozen=True, slots=True)
class ActivitySlice:
    rep_id: int
    month: date
    channel: str
    outcome: str
    touches: int


def month_of(moment: datetime) -> date:
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    return date(utc.year, utc.month, 1)


def first_whole_month(since: datetime) -> date:
    """The first month that lies wholly at or after ``since`` (its own, when it starts exactly then)."""
    utc = since.astimezone(UTC)
    start = date(utc.year, utc.month, 1)
    if utc == datetime(start.year, start.month, 1, tzinfo=UTC):
        return start
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def first_midnight(since: datetime) -> datetime:
    """The first UTC midnight at or after ``since``: where a period's whole days begin."""
    utc = since.astimezone(UTC)
    midnight = datetime(utc.year, utc.month, utc.day, tzinfo=UTC)
    return midnight if midnight == utc else midnight + timedelta(days=1)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start``'s month to ``end``'s (negative when ``end`` is earlier)."""
    return (end.year - start.year) * 12 + end.month - start.month


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


class Slot(NamedTuple):
    """Where an instant counts: the prospect's local weekday (0 = Monday) and hour, the UTC month and day."""

    weekday: int
    hour: int
    month: date
    day: date


class LocalClock:
    """The local weekday and hour of UTC instants in named zones; zones and answers are remembered,
    since millions of calls fall into a few thousand (zone, quarter hour) pairs."""

    def __init__(self, fallback: str = FALLBACK_ZONE) -> None:
        self._fallback = fallback
        self._zones: dict[str, ZoneInfo] = {}
        self._slots: dict[tuple[str, datetime], Slot] = {}

    def zone(self, name: str | None) -> ZoneInfo:
        key = name or self._fallback
        if key not in self._zones:
            try:
                self._zones[key] = ZoneInfo(key)
            except (KeyError, ValueError):
                self._zones[key] = ZoneInfo(self._fallback)
        return self._zones[key]

    def slot(self, name: str | None, utc: datetime) -> tuple[int, int]:
        """(weekday, hour) in the zone, 0 = Monday."""
        found = self.cell(name, utc)
        return found.weekday, found.hour

    def cell(self, name: str | None, utc: datetime) -> Slot:
        """(weekday, hour) in the zone, and the UTC month and day."""
        key = (name or self._fallback, utc)
        found = self._slots.get(key)
        if found is None:
            aware = utc if utc.tzinfo else utc.replace(tzinfo=UTC)
            local = aware.astimezone(self.zone(name))
            day = aware.astimezone(UTC).date()
            found = self._slots[key] = Slot(local.weekday(), local.hour, day.replace(day=1), day)
        return found


def hour_counts(rows: Iterable[CallSlice], clock: LocalClock, sign: int = 1) -> dict[HourKey, list[int]]:
    """{(rep, local weekday, local hour, UTC month): [calls, connects]}, each rep's and every rep's together."""
    counts: dict[HourKey, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        weekday, hour, month, _ = clock.cell(row.timezone, row.utc_start)
        calls, connects = sign * row.calls, sign * row.connects
        for rep in (row.rep_id, ALL_REPS):
            cell = counts[(rep, weekday, hour, month)]
            cell[0] += calls
            cell[1] += connects
    return dict(counts)


def day_hour_counts(rows: Iterable[CallSlice], clock: LocalClock, sign: int = 1) -> dict[DayHourKey, list[int]]:
    """{(UTC day, local weekday, local hour): [calls, connects]}, every rep's together."""
    counts: dict[DayHourKey, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        weekday, hour, _, day = clock.cell(row.timezone, row.utc_start)
        cell = counts[(day, weekday, hour)]
        cell[0] += sign * row.calls
        cell[1] += sign * row.connects
    return dict(counts)


def activity_counts(rows: Iterable[ActivitySlice], sign: int = 1) -> dict[ActivityKey, int]:
    """{(rep, channel, outcome, UTC month): touches}, and the same over all time (month ``ALL_TIME``)."""
    counts: dict[ActivityKey, int] = defaultdict(int)
    for row in rows:
        counts[(row.rep_id, row.channel, row.outcome, row.month)] += sign * row.touches
        counts[(row.rep_id, row.channel, row.outcome, ALL_TIME)] += sign * row.touches
    return dict(counts)


@dataclass(frozen=True, slots=True)
class FtcSlice:
    """First conversations one rep had on one UTC day on touches labelled ``label`` ("FTC #3")."""

    rep_id: int
    day: date
    label: str | None
    contacts: int


@dataclass(frozen=True, slots=True)
class DealSlice:
    deal_id: int
    follow_ups: int
    said_no: int


def attempt_number(label: str | None) -> int | None:
    """3 for "FTC #3"; None for a label without a number."""
    try:
        return int(str(label).rsplit("#", 1)[1])
    except (IndexError, ValueError):
        return None


def ftc_counts(rows: Iterable[FtcSlice], sign: int = 1) -> dict[FtcKey, int]:
    """{(rep, attempt, UTC month): contacts first reached on that attempt}, each rep's and every rep's together."""
    counts: dict[FtcKey, int] = defaultdict(int)
    for row in rows:
        attempt = attempt_number(row.label)
        if attempt is not None:
            month = row.day.replace(day=1)
            for rep in (row.rep_id, ALL_REPS):
                counts[(rep, attempt, month)] += sign * row.contacts
    return dict(counts)


def ftc_day_counts(rows: Iterable[FtcSlice], sign: int = 1) -> dict[FtcDayKey, int]:
    """{(UTC day, attempt): contacts first reached on that attempt}, every rep's together."""
    counts: dict[FtcDayKey, int] = defaultdict(int)
    for row in rows:
        attempt = attempt_number(row.label)
        if attempt is not None:
            counts[(row.day, attempt)] += sign * row.contacts
    return dict(counts)


def deal_counts(rows: Iterable[DealSlice], sign: int = 1) -> dict[int, tuple[int, int]]:
    """{deal: (follow-ups, "said no" touches)}."""
    return {row.deal_id: (sign * row.follow_ups, sign * row.said_no) for row in rows}


@dataclass(frozen=True, slots=True)
class EndingSlice:
    """Deals of one owner that ended in one UTC month the same way, after as many follow-ups."""

    owner_id: int
    month: date
    outcome: str  # STALLED: stalled while open
    said_no: bool
    follow_ups: int
    deals: int


@dataclass(frozen=True, slots=True)
class CycleSlice:
    """Deals of one owner closed in one UTC month with one outcome, as many days after they were created."""

    owner_id: int
    month: date
    outcome: str
    days: int
    deals: int


def ending_counts(rows: Iterable[EndingSlice], sign: int = 1) -> dict[EndingKey, int]:
    """{(owner, month, outcome, said no, follow-ups): deals}, each owner's and every owner's together."""
    counts: dict[EndingKey, int] = defaultdict(int)
    for row in rows:
        for owner in (row.owner_id, ALL_REPS):
            counts[(owner, row.month, row.outcome, row.said_no, row.follow_ups)] += sign * row.deals
    return dict(counts)


def cycle_counts(rows: Iterable[CycleSlice], sign: int = 1) -> dict[CycleKey, int]:
    """{(owner, month, outcome, days): deals}, each owner's and every owner's together."""
    counts: dict[CycleKey, int] = defaultdict(int)
    for row in rows:
        for owner in (row.owner_id, ALL_REPS):
            counts[(owner, row.month, row.outcome, row.days)] += sign * row.deals
    return dict(counts)


def changes(before: dict[K, int], after: dict[K, int]) -> dict[K, int]:
    """What turns the counts ``before`` into ``after``, without the keys that stay as they were."""
    out = {key: after.get(key, 0) - count for key, count in before.items()}
    out |= {key: count for key, count in after.items() if key not in before}
    return {key: count for key, count in out.items() if count}


def basis_of(conversation_outcomes: Iterable[str]) -> str:
    """The outcomes that made a call a connect, as stored beside the counts."""
    return "\n".join(sorted(set(conversation_outcomes)))
