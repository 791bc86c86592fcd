"""When to call or write: good windows in the contact's own time zone.

Pure functions (the holiday tables are a process-wide cache). Built to be
called for a million contacts in one re-planning run, so the per-call work is
a short walk over days with precomputed weekday tables and cached holiday
sets; no string parsing, no dateparser.

Wall-clock times are turned into instants through UTC so that daylight-saving
changes are handled by zoneinfo, not by our arithmetic: a window start that
falls in a spring-forward gap moves to the real instant after the gap, and
instants are compared as timestamps (aware datetimes sharing a tzinfo compare
by wall time, which is wrong inside a fold).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from ember.settings.cadence import CadenceSettings, CallWindow


class CallPhase(StrEnum):
    FTC = "ftc"
    FOLLOW_UP = "follow_up"
    QUALIFYING = "qualifying"  # follow-up while the deal is being qualified


@dataclass(frozen=True, slots=True)
class Slot:
    at: datetime  # aware, in the contact's time zone
    window: CallWindow | None  # the call window used; None when none applied


@dataclass(frozen=True, slots=True)
class _Window:
    start: int  # minutes after local midnight, clipped to working hours
    end: int
    priority: int
    source: CallWindow


_Candidate = tuple[float, float, datetime, _Window]  # start, end (timestamps), start, window


@dataclass(frozen=True, slots=True)
class _Day:
    """One working day of one zone and country, turned into instants."""

    start_ts: float
    start: datetime
    end_ts: float
    email_ts: float
    email: datetime
    windows: dict[CallPhase, tuple[_Candidate, ...]]


@dataclass(frozen=True, slots=True)
class _Tables:
    by_phase: dict[CallPhase, tuple[tuple[_Window, ...], ...]]  # 7 weekdays each
    working_day: tuple[bool, ...]
    work_start: int
    work_end: int
    email_minute: int
    # (tz, country, date ordinal) -> _Day, or None for a day off. A million
    # contacts share a few hundred zone/country pairs and a few weeks of
    # days, so this turns almost all calendar work into one dict lookup.
    days: dict[tuple[str, str | None, int], _Day | None]


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _day_tables(windows: tuple[CallWindow, ...], settings: CadenceSettings) -> tuple[
    tuple[_Window, ...], ...
]:
    work_start, work_end = (_minutes(t) for t in settings.working_hours)
    days: list[list[_Window]] = [[] for _ in range(7)]
    for window in windows:
        # A window reaching outside working hours is clipped, never honoured.
        start = max(_minutes(window.start), work_start)
        end = min(_minutes(window.end), work_end)
        if start < end and window.weekday in settings.working_days:
            days[window.weekday].append(_Window(start, end, window.priority, window))
    return tuple(tuple(sorted(d, key=lambda w: (w.start, w.priority))) for d in days)


def _build(settings: CadenceSettings) -> _Tables:
    general = _day_tables(settings.call_windows, settings)
    qualifying = _day_tables(settings.call_windows + settings.qualifying_windows, settings)
    return _Tables(
        by_phase={CallPhase.FTC: general, CallPhase.FOLLOW_UP: general,
                  CallPhase.QUALIFYING: qualifying},
        working_day=tuple(d in settings.working_days for d in range(7)),
        work_start=_minutes(settings.working_hours[0]),
        work_end=_minutes(settings.working_hours[1]),
        email_minute=_minutes(settings.email_hour),
        days={},
    )


# Keyed by identity: hashing a settings object on every call would cost more
# than the lookup saves. The stored reference keeps the id from being reused.
_TABLES: dict[int, tuple[CadenceSettings, _Tables]] = {}


def _tables(settings: CadenceSettings) -> _Tables:
    hit = _TABLES.get(id(settings))
    if hit is not None and hit[0] is settings:
        return hit[1]
    if len(_TABLES) > 64:
        _TABLES.clear()
    tables = _build(settings)
    _TABLES[id(settings)] = (settings, tables)
    return tables


@lru_cache(maxsize=1024)
def zone(tz: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (raises ZoneInfoNotFoundError if unknown)."""
    return ZoneInfo(tz)


@lru_cache(maxsize=4096)
def public_holidays(country: str | None, year: int) -> frozenset[date]:
    """Public holidays of a country ("DE") or subdivision ("US-CA") in a year.

    Unknown codes give no holidays rather than an error: a contact with an
    odd country code should still be planned, on weekdays.
    """
    if not country:
        return frozenset()
    code, _, subdivision = country.upper().partition("-")
    for subdiv in (subdivision or None, None):
        try:
            return frozenset(holidays.country_holidays(code, subdiv=subdiv, years=year))
        except (NotImplementedError, KeyError, ValueError):
            continue
    return frozenset()


def is_working_day(day: date, country: str | None, settings: CadenceSettings) -> bool:
    if not _tables(settings).working_day[day.weekday()]:
        return False
    return not (settings.skip_public_holidays and day in public_holidays(country, day.year))


def _wall(day: date, minute: int, zi: ZoneInfo) -> datetime:
    naive = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zi)
    # Round-trip through UTC: a wall time in a spring-forward gap does not
    # exist and becomes the real instant after the gap (02:30 -> 03:30).
    return datetime.fromtimestamp(naive.timestamp(), zi)


def _start(after: datetime, zi: ZoneInfo) -> tuple[float, datetime]:
    if after.tzinfo is None:
        raise ValueError("after must be an aware datetime (with a time zone)")
    # Plans are shown to the minute: round up so the slot is never before `after`.
    ts = math.ceil(after.timestamp() / 60) * 60
    return ts, datetime.fromtimestamp(ts, zi)


def _build_day(
    day: date, zi: ZoneInfo, tables: _Tables
) -> _Day:
    start, end, email = (_wall(day, m, zi) for m in
                         (tables.work_start, tables.work_end, tables.email_minute))
    windows: dict[CallPhase, tuple[_Candidate, ...]] = {}
    for phase, by_weekday in tables.by_phase.items():
        candidates = []
        for window in by_weekday[day.weekday()]:
            w_start, w_end = _wall(day, window.start, zi), _wall(day, window.end, zi)
            if w_start < w_end:  # both normalised; a window lost in a DST gap is skipped
                candidates.append((w_start.timestamp(), w_end.timestamp(), w_start, window))
        windows[phase] = tuple(candidates)
    return _Day(start.timestamp(), start, end.timestamp(), email.timestamp(), email, windows)


def _day(
    ordinal: int, tz: str, zi: ZoneInfo, country: str | None, settings: CadenceSettings,
    tables: _Tables,
) -> _Day | None:
    key = (tz, country, ordinal)
    try:
        return tables.days[key]
    except KeyError:
        pass
    if len(tables.days) > 200_000:
        tables.days.clear()
    day = date.fromordinal(ordinal)
    built = _build_day(day, zi, tables) if is_working_day(day, country, settings) else None
    tables.days[key] = built
    return built


def _search_windows(
    after_ts: float, local: datetime, tz: str, zi: ZoneInfo, country: str | None,
    phase: CallPhase, settings: CadenceSettings,
) -> Slot | None:
    tables = _tables(settings)
    best: tuple[int, float, Slot] | None = None
    deadline = math.inf
    first = local.toordinal()
    for ordinal in range(first, first + settings.search_days):
        day = _day(ordinal, tz, zi, country, settings, tables)
        if day is None:
            continue
        for start_ts, end_ts, start, window in day.windows[phase]:
            if start_ts > deadline:
                return best[2] if best is not None else None
            if end_ts <= after_ts:
                continue
            at_ts, at = (start_ts, start) if start_ts >= after_ts else (after_ts, local)
            if best is None:
                deadline = at_ts + settings.better_window_within_hours * 3600
            if best is None or (window.priority, at_ts) < best[:2]:
                best = (window.priority, at_ts, Slot(at, window.source))
    return best[2] if best is not None else None


def find_call_slot(
    after: datetime, tz: str, country: str | None, phase: CallPhase, settings: CadenceSettings
) -> Slot:
    """The first good call slot at or after ``after``, in the contact's zone.

    The earliest window wins unless a better one (lower priority number)
    starts within ``better_window_within_hours`` of it. With no window in
    ``search_days`` (all windows disabled, say) it falls back to working hours.
    """
    zi = zone(tz)
    after_ts, local = _start(after, zi)
    slot = _search_windows(after_ts, local, tz, zi, country, phase, settings)
    if slot is not None:
        return slot
    return Slot(next_working_moment(after, tz, country, settings), None)


def next_call_slot(
    after: datetime, tz: str, country: str | None, phase: CallPhase, settings: CadenceSettings
) -> datetime:
    """``find_call_slot(...).at``: an aware datetime in the contact's zone."""
    return find_call_slot(after, tz, country, phase, settings).at


def next_working_moment(
    after: datetime, tz: str, country: str | None, settings: CadenceSettings
) -> datetime:
    """The first moment at or after ``after`` inside working hours on a working day."""
    after_ts, local, days = _working_days(after, tz, country, settings)
    for day in days:
        if day.end_ts > after_ts:
            return day.start if day.start_ts >= after_ts else local
    raise _no_working_day(tz, country, settings)


def next_email_slot(
    after: datetime, tz: str, country: str | None, settings: CadenceSettings
) -> datetime:
    """The next ``email_hour`` (local) at or after ``after`` on a working day."""
    after_ts, _, days = _working_days(after, tz, country, settings)
    for day in days:
        if day.email_ts >= after_ts:
            return day.email
    raise _no_working_day(tz, country, settings)


def _working_days(after: datetime, tz: str, country: str | None,
                  settings: CadenceSettings) -> tuple[float, datetime, Iterator[_Day]]:
    """``after`` as a timestamp and in local time, and the working days from its date on."""
    zi = zone(tz)
    after_ts, local = _start(after, zi)
    tables = _tables(settings)
    first = local.toordinal()
    days = (_day(ordinal, tz, zi, country, settings, tables)
            for ordinal in range(first, first + settings.search_days))
    return after_ts, local, (day for day in days if day is not None)


def _no_working_day(tz: str, country: str | None, settings: CadenceSettings) -> ValueError:
    return ValueError(f"no working day within {settings.search_days} days for {country or tz}")


def in_working_hours(
    moment: datetime, tz: str, country: str | None, settings: CadenceSettings
) -> bool:
    local = moment.astimezone(zone(tz))
    minute = local.hour * 60 + local.minute
    tables = _tables(settings)
    inside = tables.work_start <= minute < tables.work_end
    return inside and is_working_day(local.date(), country, settings)


def window_at(
    moment: datetime, tz: str, phase: CallPhase, settings: CadenceSettings
) -> CallWindow | None:
    """The call window (of ``phase``) that contains ``moment``, if any."""
    local = moment.astimezone(zone(tz))
    minute = local.hour * 60 + local.minute
    for window in _tables(settings).by_phase[phase][local.weekday()]:
        if window.start <= minute < window.end:
            return window.source
    return None


@lru_cache(maxsize=1024)  # called for every plan's reason, with a few hundred distinct zones
def place_name(tz: str) -> str:
    """A readable place for a zone name: "America/New_York" -> "New York"."""
    return tz.rsplit("/", 1)[-1].replace("_", " ")


def days_later(moment: datetime, days: int, tz: str) -> datetime:
    """The start of the contact's calendar day ``days`` after ``moment``'s day.

    Spacing counts the contact's calendar days, so "two days after a Monday
    afternoon call" means Wednesday from the morning, whatever the hour was.
    ``days=0`` returns ``moment`` itself.
    """
    if days <= 0:
        return moment
    zi = zone(tz)
    key = (tz, moment.astimezone(zi).toordinal() + days)
    try:
        return _MIDNIGHTS[key]
    except KeyError:
        pass
    if len(_MIDNIGHTS) > 100_000:
        _MIDNIGHTS.clear()
    midnight = _MIDNIGHTS[key] = _wall(date.fromordinal(key[1]), 0, zi)
    return midnight


# (tz, date ordinal) -> that day's first instant, aware in the zone. A re-plan
# of a million contacts asks for a few hundred zones times a few weeks of
# days; building each one (wall time through UTC) once instead of per call
# saves most of days_later. Datetimes are immutable, so sharing them is safe.
_MIDNIGHTS: dict[tuple[str, int], datetime] = {}
