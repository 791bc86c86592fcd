"""Call windows in the contact's own time zone, holidays, and DST changes."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.cadence.timing import (
    CallPhase,
    days_later,
    find_call_slot,
    in_working_hours,
    next_call_slot,
    next_email_slot,
    next_working_moment,
    public_holidays,
    window_at,
)
from ember.settings.cadence import CadenceSettings, CallWindow, parse_windows

S = CadenceSettings()
BERLIN, NEW_YORK, SYDNEY = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"), ZoneInfo(
    "Australia/Sydney")


def local(tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0,
          second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=tz)


def test_monday_morning_waits_for_wednesday_four_pm() -> None:
    slot = find_call_slot(local(BERLIN, 2025, 5, 12, 9), "Europe/Berlin", "DE", CallPhase.FTC, S)
    assert slot.at == local(BERLIN, 2025, 5, 14, 16)
    assert slot.at.tzinfo == BERLIN and slot.window is not None and slot.window.priority == 1


def test_inside_a_window_the_slot_is_now_rounded_up_to_the_minute() -> None:
    after = local(BERLIN, 2025, 5, 14, 16, 10, 30)
    assert next_call_slot(after, "Europe/Berlin", "DE", CallPhase.FTC, S) == local(
        BERLIN, 2025, 5, 14, 16, 11)


def test_after_wednesdays_window_thursday_beats_next_wednesday() -> None:
    after = local(BERLIN, 2025, 5, 14, 17, 30)
    assert next_call_slot(after, "Europe/Berlin", "DE", CallPhase.FTC, S) == local(
        BERLIN, 2025, 5, 15, 16)


def test_friday_evening_goes_to_next_wednesday_skipping_the_weekend() -> None:
    after = local(BERLIN, 2025, 5, 16, 17, 30)
    assert next_call_slot(after, "Europe/Berlin", "DE", CallPhase.FTC, S) == local(
        BERLIN, 2025, 5, 21, 16)


def test_qualifying_follow_ups_may_use_eight_to_nine() -> None:
    monday = local(BERLIN, 2025, 5, 12, 9, 30)
    assert next_call_slot(monday, "Europe/Berlin", "DE", CallPhase.QUALIFYING, S) == local(
        BERLIN, 2025, 5, 13, 8)
    assert next_call_slot(monday, "Europe/Berlin", "DE", CallPhase.FOLLOW_UP, S) == local(
        BERLIN, 2025, 5, 14, 16)


def test_a_better_window_within_a_day_wins_over_an_earlier_one() -> None:
    # Tuesday evening: Wednesday 08:00 is earliest, but Wednesday 16:00 is the
    # best window and only eight hours later.
    after = local(BERLIN, 2025, 5, 13, 17)
    assert next_call_slot(after, "Europe/Berlin", "DE", CallPhase.QUALIFYING, S) == local(
        BERLIN, 2025, 5, 14, 16)
    impatient = CadenceSettings(better_window_within_hours=0)
    assert next_call_slot(after, "Europe/Berlin", "DE", CallPhase.QUALIFYING, impatient) == (
        local(BERLIN, 2025, 5, 14, 8))


def test_public_holidays_of_the_contacts_country_are_skipped() -> None:
    # 1 May 2025 is a Thursday and a public holiday in Germany, not in the US.
    after = local(BERLIN, 2025, 4, 30, 17, 30)
    assert next_call_slot(after, "Europe/Berlin", "DE", CallPhase.FTC, S) == local(
        BERLIN, 2025, 5, 2, 16)
    assert next_call_slot(after, "Europe/Berlin", "US", CallPhase.FTC, S) == local(
        BERLIN, 2025, 5, 1, 16)
    no_holidays = CadenceSettings(skip_public_holidays=False)
    assert next_call_slot(after, "Europe/Berlin", "DE", CallPhase.FTC, no_holidays) == local(
        BERLIN, 2025, 5, 1, 16)


def test_thanksgiving_and_anzac_day() -> None:
    after = local(NEW_YORK, 2025, 11, 26, 17, 30)
    assert next_call_slot(after, "America/New_York", "US", CallPhase.FTC, S) == local(
        NEW_YORK, 2025, 11, 28, 16)
    after = local(SYDNEY, 2025, 4, 24, 17, 30)  # Thursday; Friday 25 April is Anzac Day
    assert next_call_slot(after, "Australia/Sydney", "AU", CallPhase.FTC, S) == local(
        SYDNEY, 2025, 4, 30, 16)


def test_subdivision_holidays_and_unknown_countries() -> None:
    tuesday = local(BERLIN, 2027, 1, 5, 12)  # 6 Jan 2027: holiday in Bavaria only
    assert next_call_slot(tuesday, "Europe/Berlin", "DE-BY", CallPhase.FTC, S).day == 7
    assert next_call_slot(tuesday, "Europe/Berlin", "DE", CallPhase.FTC, S).day == 6
    assert public_holidays("XX", 2025) == frozenset()
    assert public_holidays(None, 2025) == frozenset()
    assert public_holidays("de", 2025) == public_holidays("DE", 2025)


@pytest.mark.parametrize(
    ("tz", "before", "after", "offsets"),
    [
        # America/New_York springs forward on 9 March 2025, falls back on 2 November.
        ("America/New_York", date(2025, 3, 5), date(2025, 3, 12), (-5, -4)),
        ("America/New_York", date(2025, 10, 29), date(2025, 11, 5), (-4, -5)),
        # Europe/Berlin: 30 March and 26 October 2025.
        ("Europe/Berlin", date(2025, 3, 26), date(2025, 4, 2), (1, 2)),
        ("Europe/Berlin", date(2025, 10, 22), date(2025, 10, 29), (2, 1)),
        # Australia/Sydney (southern hemisphere): ends 6 April, starts 5 October 2025.
        ("Australia/Sydney", date(2025, 4, 2), date(2025, 4, 9), (11, 10)),
        ("Australia/Sydney", date(2025, 10, 1), date(2025, 10, 8), (10, 11)),
    ],
)
def test_wednesday_four_pm_stays_four_pm_local_across_dst(
    tz: str, before: date, after: date, offsets: tuple[int, int]
) -> None:
    zone = ZoneInfo(tz)
    first = next_call_slot(local(zone, before.year, before.month, before.day, 12), tz, None,
                           CallPhase.FTC, S)
    # Thursday after the first Wednesday, then across the change to the next.
    second = next_call_slot(first + timedelta(days=1, hours=2), tz, None, CallPhase.FTC, S)
    third = next_call_slot(local(zone, after.year, after.month, after.day, 12) - timedelta(
        days=1), tz, None, CallPhase.FTC, S)
    assert (first.date(), first.time()) == (before, time(16))
    assert (third.date(), third.time()) == (after, time(16))
    assert first.utcoffset() == timedelta(hours=offsets[0])
    assert third.utcoffset() == timedelta(hours=offsets[1])
    assert second.time() == time(16)
    # The instant moved by one hour against UTC, the wall clock did not.
    week = third.astimezone(UTC) - first.astimezone(UTC)
    assert week == timedelta(days=7, hours=offsets[0] - offsets[1])


def test_a_window_starting_in_a_spring_forward_gap_starts_after_the_gap() -> None:
    night = CadenceSettings(call_windows=(CallWindow(6, time(2), time(4)),),
                            working_hours=(time(0), time(23, 59)),
                            working_days=frozenset(range(7)), email_hour=time(9))
    # 9 March 2025, New York: 02:00-03:00 does not exist.
    slot = next_call_slot(local(NEW_YORK, 2025, 3, 8, 12), "America/New_York", None,
                          CallPhase.FTC, night)
    assert slot.astimezone(UTC) == datetime(2025, 3, 9, 7, tzinfo=UTC)
    assert (slot.hour, slot.utcoffset()) == (3, timedelta(hours=-4))


def test_inside_a_fall_back_fold_the_slot_is_never_before_after() -> None:
    night = CadenceSettings(call_windows=(CallWindow(6, time(1), time(3)),),
                            working_hours=(time(0), time(23, 59)),
                            working_days=frozenset(range(7)), email_hour=time(9))
    second_one_thirty = datetime(2025, 11, 2, 1, 30, fold=1, tzinfo=NEW_YORK)  # EST
    slot = next_call_slot(second_one_thirty, "America/New_York", None, CallPhase.FTC, night)
    assert slot.timestamp() == second_one_thirty.timestamp()
    assert slot.utcoffset() == timedelta(hours=-5)


def test_emails_go_at_the_local_email_hour_on_working_days() -> None:
    assert next_email_slot(local(BERLIN, 2025, 5, 12, 7), "Europe/Berlin", "DE", S) == local(
        BERLIN, 2025, 5, 12, 9)
    assert next_email_slot(local(BERLIN, 2025, 5, 16, 9, 1), "Europe/Berlin", "DE", S) == local(
        BERLIN, 2025, 5, 19, 9)
    early = CadenceSettings(email_hour=time(8, 15))
    assert next_email_slot(local(SYDNEY, 2025, 4, 24, 10), "Australia/Sydney", "AU",
                           early) == local(SYDNEY, 2025, 4, 28, 8, 15)


def test_next_working_moment() -> None:
    saturday = local(NEW_YORK, 2025, 5, 17, 11)
    assert next_working_moment(saturday, "America/New_York", "US", S) == local(
        NEW_YORK, 2025, 5, 19, 8)
    inside = local(NEW_YORK, 2025, 5, 19, 11, 0, 1)
    assert next_working_moment(inside, "America/New_York", "US", S) == local(
        NEW_YORK, 2025, 5, 19, 11, 1)
    late = local(NEW_YORK, 2025, 5, 19, 18)
    assert next_working_moment(late, "America/New_York", "US", S) == local(
        NEW_YORK, 2025, 5, 20, 8)


def test_time_zone_of_after_does_not_matter() -> None:
    in_berlin = local(BERLIN, 2025, 5, 13, 23)
    in_utc = in_berlin.astimezone(UTC)
    assert next_call_slot(in_berlin, "America/New_York", "US", CallPhase.FTC, S) == (
        next_call_slot(in_utc, "America/New_York", "US", CallPhase.FTC, S))


def test_windows_are_clipped_to_working_hours() -> None:
    late = CadenceSettings(call_windows=(CallWindow(2, time(17), time(20)),))
    slot = next_call_slot(local(BERLIN, 2025, 5, 14, 17, 59), "Europe/Berlin", None,
                          CallPhase.FTC, late)
    assert slot == local(BERLIN, 2025, 5, 14, 17, 59)
    slot = next_call_slot(local(BERLIN, 2025, 5, 14, 18), "Europe/Berlin", None,
                          CallPhase.FTC, late)
    assert slot == local(BERLIN, 2025, 5, 21, 17)


def test_no_windows_falls_back_to_working_hours() -> None:
    none = CadenceSettings(call_windows=(), qualifying_windows=())
    slot = find_call_slot(local(BERLIN, 2025, 5, 17, 9), "Europe/Berlin", "DE", CallPhase.FTC,
                          none)
    assert slot.window is None and slot.at == local(BERLIN, 2025, 5, 19, 8)


def test_naive_after_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_call_slot(datetime(2025, 5, 12, 9), "Europe/Berlin", "DE", CallPhase.FTC, S)


def test_days_later_counts_the_contacts_calendar_days() -> None:
    monday_late = local(SYDNEY, 2025, 5, 12, 23, 30)
    assert days_later(monday_late, 2, "Australia/Sydney") == local(SYDNEY, 2025, 5, 14, 0)
    assert days_later(monday_late, 0, "Australia/Sydney") is monday_late


# --- properties -------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "America/Sao_Paulo", "Pacific/Auckland", "Asia/Tokyo", "Europe/London", "UTC",
         "America/St_Johns", "Asia/Kathmandu"]
COUNTRIES = [None, "DE", "US", "AU", "IN", "BR", "NZ", "JP", "GB", "CA", "XX", "US-CA"]
PHASES = list(CallPhase)
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2031, 12, 31),
                       timezones=st.just(UTC))
ODD_WINDOWS = parse_windows("mon 10:00-11:30 3; wed 16:00-17:00 1; sat 10:00-12:00 1")
SETTINGS_CHOICES = [S, CadenceSettings(better_window_within_hours=0),
                    CadenceSettings(call_windows=ODD_WINDOWS)]


def _windows(phase: CallPhase, s: CadenceSettings) -> tuple[CallWindow, ...]:
    return s.call_windows + (s.qualifying_windows if phase is CallPhase.QUALIFYING else ())


def _holiday(day: date, country: str | None) -> bool:
    if not country or country == "XX":
        return False
    code, _, sub = country.partition("-")
    return day in holidays.country_holidays(code, subdiv=sub or None, years=day.year)


def _reference(after: datetime, tz: str, country: str | None, phase: CallPhase,
               s: CadenceSettings) -> datetime | None:
    """An independent, slow statement of the window rules."""
    zone = ZoneInfo(tz)
    start_ts = math.ceil(after.timestamp() / 60) * 60
    first_day = datetime.fromtimestamp(start_ts, zone).date()
    candidates: list[tuple[float, int]] = []
    for n in range(s.search_days):
        day = first_day + timedelta(days=n)
        if day.weekday() not in s.working_days or (s.skip_public_holidays
                                                   and _holiday(day, country)):
            continue
        for w in _windows(phase, s):
            lo, hi = max(w.start, s.working_hours[0]), min(w.end, s.working_hours[1])
            if w.weekday != day.weekday() or lo >= hi:
                continue
            lo_ts = datetime.combine(day, lo, zone).timestamp()
            hi_ts = datetime.combine(day, hi, zone).timestamp()
            if hi_ts > start_ts:
                candidates.append((max(lo_ts, start_ts), w.priority))
    if not candidates:
        return None
    earliest = min(c[0] for c in candidates)
    horizon = earliest + s.better_window_within_hours * 3600
    best = min((p, t) for t, p in candidates if t <= horizon)
    return datetime.fromtimestamp(best[1], zone)


@settings(max_examples=400, deadline=None)
@given(moments, st.sampled_from(ZONES), st.sampled_from(COUNTRIES), st.sampled_from(PHASES),
       st.sampled_from(SETTINGS_CHOICES))
def test_no_planned_call_falls_outside_the_window_rules(
    after: datetime, tz: str, country: str | None, phase: CallPhase, s: CadenceSettings
) -> None:
    slot = find_call_slot(after, tz, country, phase, s)
    at = slot.at
    assert at.tzinfo == ZoneInfo(tz)
    assert at.timestamp() >= after.timestamp()
    assert in_working_hours(at, tz, country, s)
    assert not _holiday(at.date(), country)
    assert at.weekday() in s.working_days
    window = window_at(at, tz, phase, s)
    assert window is not None and slot.window is not None
    assert window.priority == slot.window.priority
    assert at.timestamp() == _reference(after, tz, country, phase, s).timestamp()  # type: ignore[union-attr]


@settings(max_examples=200, deadline=None)
@given(moments, st.sampled_from(ZONES), st.sampled_from(COUNTRIES))
def test_emails_and_working_moments_stay_in_working_hours(
    after: datetime, tz: str, country: str | None
) -> None:
    email = next_email_slot(after, tz, country, S)
    assert email.timestamp() >= after.timestamp() and in_working_hours(email, tz, country, S)
    assert email.time() == S.email_hour
    moment = next_working_moment(after, tz, country, S)
    assert moment.timestamp() >= after.timestamp() and in_working_hours(moment, tz, country, S)
    assert moment.timestamp() - after.timestamp() < 60 or moment.time() == S.working_hours[0]
