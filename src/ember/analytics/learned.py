"""The team's own benchmarks, learned from its closed deals, with honest uncertainty.

Until the team has closed enough deals with a recorded discovery call (a
setting), the published figures stay in use and we say how many more deals
are needed. From then on, each call figure's team target is the bin with the
best win rate, shown with its Wilson interval next to the published target.
Call windows work the same way on connect rates: a window is the team's own
when enough calls were placed in it and its connect rate is clearly above
the team's overall rate (the interval's low end is above it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ember.analytics.metrics import (
    BEHAVIOURS,
    BehaviourBins,
    BinRate,
    CallRow,
    Cell,
    Rate,
    overall_connect,
    wilson,
    win_rate_by,
)
from ember.conversation.benchmarks import Thresholds

# The smallest bin worth naming as a target: one lucky deal is not a pattern.
MIN_PER_BIN = 5


def published_targets(t: Thresholds) -> dict[str, str]:
    return {
        "next_steps": f"{t.next_steps_good} or more (won deals set about {t.next_steps_good}, "
                      f"lost ones about {t.next_steps_bad})",
        "questions": f"about {t.questions_ideal}; {t.questions_warn} or more raises the loss risk",
        "talk_ratio": f"about {t.talk_ratio_target:.0%}; above {t.talk_ratio_bad:.0%} hurts",
        "monologue": f"up to {t.monologue_story_s / 60:.0f} min when telling a customer story",
        "engaging": f"{t.engaging_good} or more a call",
    }


@dataclass(frozen=True, slots=True)
class LearnedFigure:
    metric: str
    title: str
    published: str
    bins: tuple[BinRate, ...]
    best: BinRate | None  # the team's own target, when learned

    @property
    def team_target(self) -> str | None:
        if self.best is None:
            return None
        rate = self.best.rate
        return (f"{self.best.bin.label}: {rate.value:.0%} won "
                f"({rate.low:.0%}–{rate.high:.0%}, {rate.n} deals)")


@dataclass(frozen=True, slots=True)
class LearnedBenchmarks:
    closed_with_calls: int
    minimum: int
    overall: Rate
    figures: tuple[LearnedFigure, ...]

    @property
    def in_use(self) -> str:
        """"team" once there is enough history, otherwise "published"."""
        return "team" if self.closed_with_calls >= self.minimum else "published"

    @property
    def more_needed(self) -> int:
        return max(self.minimum - self.closed_with_calls, 0)


def _best(bins: Sequence[BinRate], behaviour: BehaviourBins) -> BinRate | None:
    candidates = [b for b in bins if b.rate.n >= MIN_PER_BIN]
    if not candidates:
        return None
    # Ties go to the lower bin for "more is better" figures: the least a rep needs to do.
    return max(candidates, key=lambda b: (b.rate.value or 0.0, -b.bin.low if behaviour.more_is_better else 0))


def learn(rows: Sequence[CallRow], *, minimum: int, thresholds: Thresholds) -> LearnedBenchmarks:
    published = published_targets(thresholds)
    enough = len(rows) >= minimum
    figures = []
    for behaviour in BEHAVIOURS:
        bins = win_rate_by(rows, behaviour)
        figures.append(LearnedFigure(behaviour.metric, behaviour.title, published[behaviour.metric], bins,
                                     _best(bins, behaviour) if enough else None))
    overall = wilson(sum(r.won for r in rows), len(rows))
    return LearnedBenchmarks(len(rows), minimum, overall, tuple(figures))


@dataclass(frozen=True, slots=True)
class WindowChoice:
    calls: int
    minimum_calls: int
    overall: Rate
    published: tuple[str, ...]
    team: tuple[tuple[str, Rate], ...]  # the team's best windows, best first
    team_slots: tuple[tuple[int, int], ...] = ()  # the same windows as (weekday, local hour)

    @property
    def in_use(self) -> str:
        return "team" if self.team else "published"

    @property
    def more_needed(self) -> int:
        return max(self.minimum_calls - self.calls, 0)


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def window_name(weekday: int, hour: int) -> str:
    """Named like the call-window setting's own descriptions ("Wednesday 16:00-17:00")."""
    return f"{DAY_NAMES[weekday]} {hour:02d}:00-{hour + 1:02d}:00"


def learn_windows(cells: Mapping[tuple[int, int], Cell], *, minimum_calls: int, per_window: int,
                  published: Sequence[str], top: int = 3) -> WindowChoice:
    """The team's own call windows: hours clearly better than its average, once enough calls were made."""
    overall = overall_connect(cells)
    if overall.n < minimum_calls or overall.value is None:
        return WindowChoice(overall.n, minimum_calls, overall, tuple(published), ())
    strong = [(cell, cell.rate) for cell in cells.values()
              if cell.calls >= per_window and cell.rate.low > overall.value and cell.weekday < 5]
    strong.sort(key=lambda pair: (-(pair[1].value or 0.0), pair[0].weekday, pair[0].hour))
    chosen = strong[:top]
    team = tuple((window_name(c.weekday, c.hour), rate) for c, rate in chosen)
    return WindowChoice(overall.n, minimum_calls, overall, tuple(published), team,
                        tuple((c.weekday, c.hour) for c, _ in chosen))
