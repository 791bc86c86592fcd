"""Business days and local office hours for the demo timeline.

The generator never draws dates directly. It draws *business-day offsets*
(0 = the latest working day up to the anchor date, 1 = the one before, -1 =
the next one) and minutes of a local working day, then this module turns them
into UTC instants. That keeps two promises at once:

* the random draws do not depend on the calendar, so the same seed gives the
  same people, deals and touch sequences whatever day the demo is built;
* every touch lands on a weekday that is not a public holiday in the
  contact's country, inside office hours of the contact's own time zone, and
  the data always ends "now", so the Today queue has work in it.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Container
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

HISTORY_DAYS = 420  # calendar days of business-day lookup behind the anchor
FUTURE_DAYS = 45  # and ahead of it (planned touches, next steps)

# Local start minutes of a touch, weighted: mornings and mid-afternoon are
# when reps dial most; 16:00 carries the Wednesday-afternoon habit.
_HOUR_WEIGHTS: tuple[tuple[int, int], ...] = (
    (8, 3), (9, 4), (10, 5), (11, 4), (12, 1), (13, 2), (14, 4), (15, 4), (16, 5), (17, 1),
)
_HOURS = tuple(h for h, _ in _HOUR_WEIGHTS)
_CUMULATIVE = tuple(
    sum(w for _, w in _HOUR_WEIGHTS[: i + 1]) for i in range(len(_HOUR_WEIGHTS))
)
FIRST_HOUR = 8
LAST_HOUR = 17  # a touch starts at 17:59 at the latest


def random_minute(rng: random.Random) -> int:
    """Minutes after local midnight for a touch, inside office hours."""
    pick = rng.random() * _CUMULATIVE[-1]
    hour = _HOURS[bisect.bisect_right(_CUMULATIVE, pick)]
    return hour * 60 + int(rng.random() * 60)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class Calendar:
    """Working days per country around one anchor date."""

    def __init__(self, anchor: date) -> None:
        self.anchor = anchor
        self._past: dict[str, list[date]] = {}
        self._future: dict[str, list[date]] = {}

    def _build(self, country: str) -> None:
        years = range(self.anchor.year - 2, self.anchor.year + 2)
        closed: Container[date]
        try:
            closed = holidays.country_holidays(country, years=years)
        except NotImplementedError:  # a country the holidays package lacks
            closed = frozenset()
        past: list[date] = []
        day = self.anchor
        for _ in range(HISTORY_DAYS):
            if day.weekday() < 5 and day not in closed:
                past.append(day)
            day -= timedelta(days=1)
        future: list[date] = []
        day = self.anchor + timedelta(days=1)
        for _ in range(FUTURE_DAYS):
            if day.weekday() < 5 and day not in closed:
                future.append(day)
            day += timedelta(days=1)
        self._past[country] = past
        self._future[country] = future

    def day(self, country: str, offset: int) -> date:
        """The working day ``offset`` working days before the anchor (negative: after)."""
        if country not in self._past:
            self._build(country)
        if offset >= 0:
            past = self._past[country]
            return past[min(offset, len(past) - 1)]
        future = self._future[country]
        return future[min(-offset - 1, len(future) - 1)]

    def instant(self, country: str, tz: str, offset: int, minute: int) -> datetime:
        """UTC instant of a local wall-clock minute on a working day."""
        day = self.day(country, offset)
        local = datetime(day.year, day.month, day.day, minute // 60, minute % 60,
                         tzinfo=zone(tz))
        return local.astimezone(UTC)


def anchor_for(now: datetime) -> date:
    """The anchor date for data built at ``now``: today in UTC."""
    return now.astimezone(UTC).date()
