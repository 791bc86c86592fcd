"""The team's numbers, computed from plain rows: no database, no clock.

The repository hands over small, already-grouped rows (how many deals needed
n follow-ups, how many calls connected in a given hour, ...); the functions
here turn them into the figures a manager reads, each with the number of
deals, contacts or calls behind it, so a figure built on three deals never
looks as solid as one built on three hundred.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ember.tallies.rules import FALLBACK_ZONE, ActivityCount, LocalClock

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Z_95 = 1.959964  # two-sided 95 % interval


@dataclass(frozen=True, slots=True)
class Summary:
    """Mean, median and distribution of a count (follow-ups, attempts, days)."""

    n: int
    mean: float | None
    median: float | None
    distribution: tuple[tuple[int, int], ...]  # (value, how many), ascending values


def summarize(histogram: Mapping[int, int]) -> Summary:
    """Summary of a histogram ``{value: count}``; the median is the middle value (mean of two)."""
    items = tuple(sorted((v, c) for v, c in histogram.items() if c > 0))
    n = sum(c for _, c in items)
    if n == 0:
        return Summary(0, None, None, ())
    mean = sum(v * c for v, c in items) / n
    return Summary(n, mean, _median(items, n), items)


def _median(items: Sequence[tuple[int, int]], n: int) -> float:
    def at(position: int) -> int:
        seen = 0
        for value, count in items:
            seen += count
            if position < seen:
                return value
        raise AssertionError("position beyond the histogram")

    if n % 2:
        return float(at(n // 2))
    return (at(n // 2 - 1) + at(n // 2)) / 2


def share_reached_by(histogram: Mapping[int, int], attempts: int = 8) -> tuple[tuple[int, float], ...]:
    """For n = 1..attempts: the share of reached contacts who were reached by attempt n."""
    total = sum(histogram.values())
    if total == 0:
        return tuple((n, 0.0) for n in range(1, attempts + 1))
    out, running = [], 0
    for n in range(1, attempts + 1):
        running += histogram.get(n, 0)
        out.append((n, running / total))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Rate:
    """hits out of n, with its Wilson score interval."""

    hits: int
    n: int
    low: float
    high: float

    @property
    def value(self) -> float | None:
        return self.hits / self.n if self.n else None


def wilson(hits: int, n: int, z: float = Z_95) -> Rate:
    """Wilson score interval: honest for small samples and for rates near 0 or 1."""
    if n <= 0:
        return Rate(0, 0, 0.0, 1.0)
    p = hits / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Rate(hits, n, max(0.0, centre - half), min(1.0, centre + half))


# --- win rate by discovery-call behaviour -----------------------------------

@dataclass(frozen=True, slots=True)
class Bin:
    """Values ``low <= v < high`` (``high`` None: no upper end)."""

    key: str
    label: str
    low: float
    high: float | None

    def holds(self, value: float) -> bool:
        return value >= self.low and (self.high is None or value < self.high)


@dataclass(frozen=True, slots=True)
class BehaviourBins:
    metric: str
    title: str
    bins: tuple[Bin, ...]
    more_is_better: bool | None  # None: a sweet spot (too few and too many both hurt)


BEHAVIOURS: tuple[BehaviourBins, ...] = (
    BehaviourBins("next_steps", "Next steps set on the discovery call", (
        Bin("0-1", "0–1", 0, 2), Bin("2", "2", 2, 3), Bin("3", "3", 3, 4), Bin("4", "4", 4, 5),
        Bin("5+", "5 or more", 5, None)), True),
    BehaviourBins("questions", "Questions the rep asked", (
        Bin("0-3", "0–3", 0, 4), Bin("4-5", "4–5", 4, 6), Bin("6-9", "6–9", 6, 10),
        Bin("10+", "10 or more", 10, None)), None),
    BehaviourBins("talk_ratio", "Rep talk ratio", (
        Bin("<35", "under 35 %", 0, 0.35), Bin("35-50", "35–50 %", 0.35, 0.50),
        Bin("50-65", "50–65 %", 0.50, 0.65), Bin("65+", "65 % or more", 0.65, None)), None),
    BehaviourBins("monologue", "Longest rep monologue", (
        Bin("<60", "under 1 min", 0, 60), Bin("60-120", "1–2 min", 60, 120),
        Bin("120-180", "2–3 min", 120, 180), Bin("180+", "3 min or more", 180, None)), None),
    BehaviourBins("engaging", "Engaging moments", (
        Bin("0", "0", 0, 1), Bin("1", "1", 1, 2), Bin("2", "2", 2, 3), Bin("3+", "3 or more", 3, None)),
        True),
)
BEHAVIOUR_BY_METRIC = {b.metric: b for b in BEHAVIOURS}


@dataclass(frozen=True, slots=True)
class CallRow:
    """The discovery call of one closed deal: its figures and how the deal ended."""

    deal_id: int
    won: bool
    next_steps: int
    questions: int | None
    talk_ratio: float | None
    monologue_s: float | None
    engaging: int | None

    def figure(self, metric: str) -> float | None:
        return {"next_steps": self.next_steps, "questions": self.questions,
                "talk_ratio": self.talk_ratio, "monologue": self.monologue_s,
                "engaging": self.engaging}[metric]


@dataclass(frozen=True, slots=True)
class BinRate:
    bin: Bin
    rate: Rate


def win_rate_by(rows: Iterable[CallRow], behaviour: BehaviourBins) -> tuple[BinRate, ...]:
    """Win rate of closed deals in each bin of one call figure (deals without the figure left out)."""
    won: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for row in rows:
        value = row.figure(behaviour.metric)
        if value is None:
            continue
        for bin_ in behaviour.bins:
            if bin_.holds(value):
                seen[bin_.key] += 1
                won[bin_.key] += row.won
                break
    return tuple(BinRate(b, wilson(won[b.key], seen[b.key])) for b in behaviour.bins)


def bin_of(behaviour: BehaviourBins, key: str) -> Bin | None:
    return next((b for b in behaviour.bins if b.key == key), None)


# --- connect rate by the prospect's local weekday and hour -------------------

@dataclass(frozen=True, slots=True)
class HourRow:
    """Calls placed in one UTC quarter hour to prospects of one time zone."""

    timezone: str | None
    utc_hour: datetime  # the quarter hour's start, in UTC
    calls: int
    connects: int


@dataclass(slots=True)
class Cell:
    weekday: int  # 0 = Monday
    hour: int
    calls: int = 0
    connects: int = 0

    @property
    def rate(self) -> Rate:
        return wilson(self.connects, self.calls)


def local_cells(rows: Iterable[HourRow], fallback_zone: str = FALLBACK_ZONE) -> dict[tuple[int, int], Cell]:
    """Calls and connects by the prospect's local (weekday, hour); unknown zones count as the fallback."""
    return add_cells({}, ((*LocalClock(fallback_zone).slot(row.timezone, row.utc_hour), row.calls, row.connects)
                          for row in rows))


def add_cells(cells: dict[tuple[int, int], Cell], counts: Iterable[tuple[int, int, int, int]]
              ) -> dict[tuple[int, int], Cell]:
    """Add (weekday, hour, calls, connects) counts into the cells; the same cells, for chaining."""
    for weekday, hour, calls, connects in counts:
        cell = cells.setdefault((weekday, hour), Cell(weekday, hour))
        cell.calls += calls
        cell.connects += connects
    return cells


def overall_connect(cells: Mapping[tuple[int, int], Cell]) -> Rate:
    return wilson(sum(c.connects for c in cells.values()), sum(c.calls for c in cells.values()))


# --- give-up points, cycle length, the nurture funnel, activity --------------

@dataclass(frozen=True, slots=True)
class GiveUp:
    summary: Summary
    persistence: int
    before_persistence: int  # deals dropped with fewer follow-ups than the setting asks

    @property
    def share_early(self) -> float | None:
        return self.before_persistence / self.summary.n if self.summary.n else None


def give_up(histogram: Mapping[int, int], persistence: int) -> GiveUp:
    """Where reps stopped following up on deals nobody said no to, against the persistence setting."""
    summary = summarize(histogram)
    early = sum(c for v, c in histogram.items() if v < persistence)
    return GiveUp(summary, persistence, early)


@dataclass(frozen=True, slots=True)
class Funnel:
    """Contacts who said no, then showed interest again, were re-opened, and bought."""

    nurtured: int
    triggered: int
    reopened: int
    won: int

    def steps(self) -> tuple[tuple[str, int, float | None], ...]:
        """(stage, contacts, share of the stage before)."""
        stages = (("On the nurture list", self.nurtured), ("Showed interest again", self.triggered),
                  ("Re-opened", self.reopened), ("Won a deal after", self.won))
        out: list[tuple[str, int, float | None]] = []
        previous: int | None = None
        for name, count in stages:
            out.append((name, count, (count / previous) if previous else None))
            previous = count
        return tuple(out)


ActivityRow = ActivityCount  # touches of one rep by channel and outcome


@dataclass(slots=True)
class RepActivity:
    rep_id: int
    touches: int = 0
    conversations: int = 0
    calls_analysed: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)


def activity(rows: Iterable[ActivityRow], analysed: Mapping[int, int],
             conversation_outcomes: frozenset[str]) -> dict[int, RepActivity]:
    """Per rep: touches by channel and outcome, conversations held, calls analysed."""
    reps: dict[int, RepActivity] = {}
    for rep_id, channel, outcome, touches in rows:
        rep = reps.get(rep_id)
        if rep is None:
            rep = reps[rep_id] = RepActivity(rep_id)
        rep.touches += touches
        rep.by_channel[channel] = rep.by_channel.get(channel, 0) + touches
        rep.by_outcome[outcome] = rep.by_outcome.get(outcome, 0) + touches
        if outcome in conversation_outcomes:
            rep.conversations += touches
    for rep_id, count in analysed.items():
        reps.setdefault(rep_id, RepActivity(rep_id)).calls_analysed += count
    for rep in reps.values():  # counts taken out again (a stretch before the period) leave zeros
        rep.by_channel = {channel: n for channel, n in rep.by_channel.items() if n}
        rep.by_outcome = {outcome: n for outcome, n in rep.by_outcome.items() if n}
    return reps
