"""The pure statistics behind the team numbers, on hand-made rows."""

from __future__ import annotations

from datetime import datetime

import pytest

from ember.analytics.metrics import (
    BEHAVIOUR_BY_METRIC,
    CallRow,
    HourRow,
    give_up,
    local_cells,
    share_reached_by,
    summarize,
    wilson,
    win_rate_by,
)


def test_summary_of_a_histogram_has_mean_median_and_the_count_behind_it() -> None:
    summary = summarize({5: 3, 1: 1, 9: 0})
    assert summary.n == 4
    assert summary.mean == pytest.approx(4.0)
    assert summary.median == 5.0
    assert summary.distribution == ((1, 1), (5, 3))  # empty values are left out


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_values() -> None:
    assert summarize({2: 1, 3: 1, 10: 2}).median == 6.5
    assert summarize({}).median is None and summarize({}).n == 0


def test_share_reached_by_attempt_is_cumulative() -> None:
    shares = dict(share_reached_by({1: 2, 3: 1, 12: 1}, attempts=4))
    assert shares == {1: 0.5, 2: 0.5, 3: 0.75, 4: 0.75}


def test_wilson_interval_matches_the_textbook_value() -> None:
    rate = wilson(8, 10)
    assert rate.value == 0.8
    assert rate.low == pytest.approx(0.4902, abs=1e-4)
    assert rate.high == pytest.approx(0.9433, abs=1e-4)
    assert wilson(0, 0).n == 0 and wilson(0, 0).value is None


def test_win_rate_by_next_steps_puts_each_deal_in_one_bin() -> None:
    rows = [CallRow(i, won, steps, None, None, None, None)
            for i, (won, steps) in enumerate([(True, 5), (True, 7), (False, 5), (False, 1), (False, 2)])]
    rates = {b.bin.key: (b.rate.hits, b.rate.n) for b in win_rate_by(rows, BEHAVIOUR_BY_METRIC["next_steps"])}
    assert rates == {"0-1": (0, 1), "2": (0, 1), "3": (0, 0), "4": (0, 0), "5+": (2, 3)}


def test_calls_count_in_the_prospects_local_hour_across_a_dst_change() -> None:
    rows = [HourRow("America/New_York", datetime(2026, 3, 4, 21), 4, 2),  # 16:00 EST, a Wednesday
            HourRow("America/New_York", datetime(2026, 3, 11, 20), 6, 3),  # 16:00 EDT, a Wednesday
            HourRow(None, datetime(2026, 3, 11, 20), 1, 0)]  # no zone: counted in UTC
    cells = local_cells(rows)
    assert (cells[(2, 16)].calls, cells[(2, 16)].connects) == (10, 5)
    assert cells[(2, 20)].calls == 1


def test_give_up_counts_deals_dropped_before_the_persistence_setting() -> None:
    result = give_up({1: 2, 4: 1, 5: 3, 8: 1}, persistence=5)
    assert result.before_persistence == 3
    assert result.share_early == pytest.approx(3 / 7)
