"""Turning what the team learned into the settings it works with: call targets and call windows.

Pure rules over the learned figures; nothing here reads or writes the database.
The results are written in the settings' own text forms ("name=value, ..." for
the analysis thresholds, "wed 16:00-17:00 1; ..." for call windows) so that the
one settings reader validates and applies them like any other value, and an
explicit setting on the desk still wins over them.
"""

from __future__ import annotations

from collections.abc import Callable

from ember.analytics.learned import LearnedBenchmarks, WindowChoice
from ember.analytics.metrics import Bin
from ember.conversation.benchmarks import Thresholds

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _next_steps(best: Bin, t: Thresholds) -> dict[str, float]:
    good = max(1, int(best.low))  # "more is better": the least the winning calls did
    return {"next_steps_good": good, "next_steps_bad": min(t.next_steps_bad, good - 1)}


def _questions(best: Bin, t: Thresholds) -> dict[str, float]:
    low = int(best.low)
    ideal = low if best.high is None else (low + int(best.high) - 1) // 2
    warn = int(best.high) if best.high is not None else max(t.questions_warn, low + 4)
    return {"questions_ideal": max(1, ideal), "questions_warn": warn, "questions_bad": max(t.questions_bad, warn + 2)}


def _talk_ratio(best: Bin, t: Thresholds) -> dict[str, float]:
    high = best.high if best.high is not None else min(best.low + 0.10, 0.95)
    target = round((best.low + high) / 2, 3)
    warn = round(high, 3)
    return {"talk_ratio_target": target, "talk_ratio_warn": warn,
            "talk_ratio_bad": round(max(t.talk_ratio_bad, warn + 0.05), 3),
            "talk_ratio_low": round(min(t.talk_ratio_low, best.low), 3)}


def _monologue(best: Bin, t: Thresholds) -> dict[str, float]:
    if best.high is None:
        return {}  # "the longer the better" is no target to hold a rep to
    plain = max(t.monologue_plain_s, best.high)
    story = max(t.monologue_story_s, plain)
    return {"monologue_plain_s": plain, "monologue_story_s": story, "monologue_bad_s": max(t.monologue_bad_s, story)}


def _engaging(best: Bin, t: Thresholds) -> dict[str, float]:
    return {"engaging_good": max(1, int(best.low))}


TARGETS: dict[str, Callable[[Bin, Thresholds], dict[str, float]]] = {
    "next_steps": _next_steps, "questions": _questions, "talk_ratio": _talk_ratio,
    "monologue": _monologue, "engaging": _engaging,
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def thresholds_text(learned: LearnedBenchmarks, published: Thresholds) -> str:
    """The team's call targets as threshold overrides; empty while the published figures stay in use."""
    if learned.in_use != "team":
        return ""
    changes: dict[str, float] = {}
    for figure in learned.figures:
        rule = TARGETS.get(figure.metric)
        if figure.best is not None and rule is not None:
            changes.update(rule(figure.best.bin, published))
    return ", ".join(f"{name}={_number(value)}" for name, value in sorted(changes.items())
                     if value != getattr(published, name))  # only what differs from the published figure


def windows_text(choice: WindowChoice) -> str:
    """The team's own call windows in the setting's form, best first; empty while the published ones stay."""
    if choice.in_use != "team":
        return ""
    return "; ".join(f"{DAY_KEYS[weekday]} {hour:02d}:00-{_end(hour)} {1 if rank == 0 else 2}"
                     for rank, (weekday, hour) in enumerate(choice.team_slots))


def _end(hour: int) -> str:
    return f"{hour + 1:02d}:00" if hour < 23 else "23:59"  # a window cannot end at 24:00
