"""Folding grouped calls into local hours and months: pure arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from ember.tallies.rules import (
    ALL_REPS,
    CallSlice,
    FtcSlice,
    LocalClock,
    day_hour_counts,
    first_midnight,
    first_whole_month,
    ftc_counts,
    ftc_day_counts,
    hour_counts,
    months_between,
)


def test_calls_count_in_the_local_hour_on_either_side_of_a_summer_time_change() -> None:
    rows = [CallSlice(7, "America/New_York", datetime(2026, 3, 4, 21), 4, 2),  # 16:00 EST, a Wednesday
            CallSlice(7, "America/New_York", datetime(2026, 3, 11, 20), 6, 3),  # 16:00 EDT, a Wednesday
            CallSlice(8, "Asia/Kolkata", datetime(2026, 3, 31, 18, 45), 1, 1),  # 00:15 on Wednesday 1 April
            CallSlice(8, "Not/AZone", datetime(2026, 3, 11, 20), 1, 0)]  # unknown zone: counted in UTC
    counts = hour_counts(rows, LocalClock())
    march, april = date(2026, 3, 1), date(2026, 4, 1)
    assert counts[(7, 2, 16, march)] == [10, 5]
    assert counts[(8, 2, 0, march)] == [1, 1]  # the month is the UTC month: still March there
    assert counts[(8, 2, 20, march)] == [1, 0]
    assert counts[(ALL_REPS, 2, 16, march)] == [10, 5]
    assert sum(c[0] for k, c in counts.items() if k[0] == ALL_REPS) == 12
    assert (ALL_REPS, 2, 0, april) not in counts
    assert hour_counts(rows, LocalClock(), sign=-1)[(7, 2, 16, march)] == [-10, -5]


def test_every_reps_calls_count_by_utc_day_in_the_local_hour() -> None:
    rows = [CallSlice(7, "America/New_York", datetime(2026, 3, 5, 2), 4, 2),  # 21:00 on Wednesday 4 March there
            CallSlice(8, "America/New_York", datetime(2026, 3, 5, 2, 30), 1, 0),
            CallSlice(8, "Asia/Kolkata", datetime(2026, 3, 31, 18, 45), 1, 1)]  # 00:15 on Wednesday 1 April there
    counts = day_hour_counts(rows, LocalClock())
    assert counts == {(date(2026, 3, 5), 2, 21): [5, 2], (date(2026, 3, 31), 2, 0): [1, 1]}
    assert day_hour_counts(rows, LocalClock(), sign=-1)[(date(2026, 3, 5), 2, 21)] == [-5, -2]


def test_a_period_reads_whole_days_from_its_first_midnight() -> None:
    assert first_midnight(datetime(2026, 3, 17, tzinfo=UTC)) == datetime(2026, 3, 17, tzinfo=UTC)
    assert first_midnight(datetime(2026, 3, 17, 0, 0, 1, tzinfo=UTC)) == datetime(2026, 3, 18, tzinfo=UTC)
    assert first_midnight(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)
    # 18 March 00:30 in Paris is 17 March 23:30 in UTC
    paris = timezone(timedelta(hours=1))
    assert first_midnight(datetime(2026, 3, 18, 0, 30, tzinfo=paris)) == datetime(2026, 3, 18, tzinfo=UTC)


def test_a_period_is_counted_from_its_first_whole_month() -> None:
    assert first_whole_month(datetime(2026, 3, 1, tzinfo=UTC)) == date(2026, 3, 1)
    assert first_whole_month(datetime(2026, 3, 1, 0, 0, 1, tzinfo=UTC)) == date(2026, 4, 1)
    assert first_whole_month(datetime(2026, 12, 9, 8, tzinfo=UTC)) == date(2027, 1, 1)
    # 1 March 00:30 in Paris is still February in UTC
    paris = timezone(timedelta(hours=1))
    assert first_whole_month(datetime(2026, 3, 1, 0, 30, tzinfo=paris)) == date(2026, 3, 1)


def test_first_conversations_count_for_their_rep_and_for_every_rep_together() -> None:
    march, third, ninth = date(2026, 3, 1), date(2026, 3, 3), date(2026, 3, 9)
    rows = [FtcSlice(7, third, "FTC #2", 3), FtcSlice(8, ninth, "FTC #2", 1), FtcSlice(8, ninth, "no number", 5)]
    counts = ftc_counts(rows)
    assert counts == {(7, 2, march): 3, (8, 2, march): 1, (ALL_REPS, 2, march): 4}
    assert ftc_counts(rows, sign=-1)[(ALL_REPS, 2, march)] == -4
    assert ftc_day_counts(rows) == {(third, 2): 3, (ninth, 2): 1}
    assert ftc_day_counts(rows, sign=-1)[(third, 2)] == -3


def test_months_between_counts_calendar_months_either_way() -> None:
    assert months_between(date(2025, 11, 1), date(2026, 2, 1)) == 3
    assert months_between(date(2026, 2, 1), date(2026, 2, 1)) == 0
    assert months_between(date(2026, 2, 1), date(2025, 12, 1)) == -2
