"""Comparing a call with the published figures (see docs/analysis.md).

Sources: a conversation-intelligence vendor's published follow-up guide (next
steps on discovery calls, number of questions, questions per minute,
engaging moments, monologues that tell a customer story, "touch base"
openers, the four qualification areas) and Gong's published talk ratio.
Every threshold lives in `Thresholds`, which callers override from
settings; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    GOOD = "good"
    WARN = "warn"
    BAD = "bad"
    UNKNOWN = "unknown"  # not graded: the figure depends on sides nobody could tell


@dataclass(frozen=True, slots=True)
class Thresholds:
    # Measurement knobs.
    backchannel_s: float = 2.0       # shorter listener noises do not break a monologue
    turn_gap_s: float = 5.0          # a longer silence ends a turn
    patience_max_pause_s: float = 10.0
    story_s: float = 30.0            # a prospect turn this long is an engaging moment
    burst_turns: int = 6             # alternating short turns that make a quick exchange
    burst_max_turn_s: float = 15.0
    small_talk_window_s: float = 300.0
    opener_window_s: float = 120.0
    closing_window_s: float = 180.0
    closing_count: int = 5
    max_items: int = 200             # at most this many of each list (next steps, questions...) per call
    # Targets.
    talk_ratio_target: float = 0.43  # Gong: top-converting calls
    talk_ratio_warn: float = 0.55
    talk_ratio_bad: float = 0.65     # Gong: above this hurts
    talk_ratio_low: float = 0.25     # a rep this quiet is not steering the call
    monologue_plain_s: float = 60.0
    monologue_story_s: float = 120.0  # fine when telling a customer story
    monologue_bad_s: float = 180.0
    questions_ideal: int = 4
    questions_warn: int = 6          # six or more raises the loss risk...
    questions_bad: int = 10
    questions_per_minutes: float = 30.0  # ...per this much call time
    questions_per_min_max: float = 2.0
    questions_per_min_bad: float = 3.0
    engaging_good: int = 3
    next_steps_good: int = 5         # won deals: about five on discovery calls
    next_steps_bad: int = 2          # lost deals: about two

    def with_overrides(self, text: str) -> Thresholds:
        """Apply ``"name=value, name=value"`` (the form of a setting); unknown names are errors."""
        changes: dict[str, Any] = {}
        for part in (p.strip() for p in text.replace(";", ",").split(",")):
            if not part:
                continue
            name, _, raw = (piece.strip() for piece in part.partition("="))
            if name not in self.__dataclass_fields__:
                known = ", ".join(self.__dataclass_fields__)
                raise ValueError(f"{name!r} is not a threshold; use one of: {known}")
            kind = type(getattr(self, name))
            try:
                changes[name] = kind(raw)
            except ValueError:
                raise ValueError(f"{name}={raw!r} is not a number; write it like {name}={getattr(self, name)}") \
                    from None
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Benchmark:
    metric: str
    value: float | int | None
    target: str
    verdict: Verdict
    reason: str


@dataclass(frozen=True, slots=True)
class CallFigures:
    """The measured values the benchmarks read."""

    duration_s: float
    rep_talk_ratio: float | None
    longest_rep_monologue_s: float
    monologue_is_story: bool
    rep_questions: int
    rep_questions_per_min: float
    engaging_moments: int
    next_steps: int
    purposeless_openers: int
    qualification_covered: int
    # Why the sides are unknown ("speakers not labelled: ..."); empty when they are known.
    side_reason: str = ""


# Benchmarks whose figure changes with who is the rep.
SIDE_DEPENDENT = frozenset({"rep_talk_ratio", "longest_rep_monologue_s", "rep_questions", "rep_questions_per_minute",
                            "engaging_moments", "purposeless_openers", "qualification_covered"})


def evaluate(f: CallFigures, t: Thresholds) -> list[Benchmark]:
    graded = [
        _talk_ratio(f, t), _monologue(f, t), _questions(f, t), _question_rate(f, t),
        _engaging(f, t), _next_steps(f, t), _openers(f), _qualification(f),
    ]
    if not f.side_reason:
        return graded
    return [replace(b, verdict=Verdict.UNKNOWN, reason=f.side_reason) if b.metric in SIDE_DEPENDENT else b
            for b in graded]


def _talk_ratio(f: CallFigures, t: Thresholds) -> Benchmark:
    target = f"about {t.talk_ratio_target:.0%}, at most {t.talk_ratio_bad:.0%}"
    r = f.rep_talk_ratio
    if r is None:
        return Benchmark("rep_talk_ratio", None, target, Verdict.WARN, "no rep speech identified")
    value = round(r, 3)
    if r > t.talk_ratio_bad:
        return Benchmark("rep_talk_ratio", value, target, Verdict.BAD,
                         f"rep talked {r:.0%} of the time; above {t.talk_ratio_bad:.0%} hurts")
    if r > t.talk_ratio_warn:
        return Benchmark("rep_talk_ratio", value, target, Verdict.WARN,
                         f"rep talked {r:.0%}; top calls sit near {t.talk_ratio_target:.0%}")
    if r < t.talk_ratio_low:
        return Benchmark("rep_talk_ratio", value, target, Verdict.WARN,
                         f"rep talked only {r:.0%}; the call may lack direction")
    return Benchmark("rep_talk_ratio", value, target, Verdict.GOOD,
                     f"rep talked {r:.0%}, close to top calls")


def _monologue(f: CallFigures, t: Thresholds) -> Benchmark:
    m = round(f.longest_rep_monologue_s, 1)
    target = f"up to {t.monologue_story_s:.0f} s when telling a customer story"
    if m > t.monologue_bad_s:
        return Benchmark("longest_rep_monologue_s", m, target, Verdict.BAD,
                         f"rep spoke {m:.0f} s without a break; prospects tune out")
    if m > t.monologue_story_s:
        return Benchmark("longest_rep_monologue_s", m, target, Verdict.WARN,
                         f"{m:.0f} s is longer than even a good story needs")
    if m > t.monologue_plain_s and not f.monologue_is_story:
        return Benchmark("longest_rep_monologue_s", m, target, Verdict.WARN,
                         f"{m:.0f} s monologue without a customer story")
    reason = "long, but it tells a customer story" if m > t.monologue_plain_s else "short enough"
    return Benchmark("longest_rep_monologue_s", m, target, Verdict.GOOD, reason)


def _questions(f: CallFigures, t: Thresholds) -> Benchmark:
    # The research figure is per call; a long call gets proportionally more room.
    scale = max(1.0, f.duration_s / 60 / t.questions_per_minutes)
    warn, bad = t.questions_warn * scale, t.questions_bad * scale
    n = f.rep_questions
    target = f"about {t.questions_ideal} well-chosen; fewer than {warn:.0f}"
    if n >= bad:
        return Benchmark("rep_questions", n, target, Verdict.BAD,
                         f"{n} questions feels like an interrogation")
    if n >= warn:
        return Benchmark("rep_questions", n, target, Verdict.WARN,
                         f"{n} questions; {t.questions_warn}+ is linked to lost deals")
    if n == 0:
        return Benchmark("rep_questions", n, target, Verdict.WARN, "the rep asked no questions")
    return Benchmark("rep_questions", n, target, Verdict.GOOD, f"{n} questions, a focused number")


def _question_rate(f: CallFigures, t: Thresholds) -> Benchmark:
    r = round(f.rep_questions_per_min, 2)
    target = f"at most {t.questions_per_min_max:g} a minute"
    if r > t.questions_per_min_bad:
        return Benchmark("rep_questions_per_minute", r, target, Verdict.BAD,
                         f"{r:g} questions a minute is rapid fire")
    if r > t.questions_per_min_max:
        return Benchmark("rep_questions_per_minute", r, target, Verdict.WARN,
                         f"{r:g} a minute; slow down and listen")
    return Benchmark("rep_questions_per_minute", r, target, Verdict.GOOD, "unhurried questioning")


def _engaging(f: CallFigures, t: Thresholds) -> Benchmark:
    n = f.engaging_moments
    target = f"{t.engaging_good} or more"
    if n >= t.engaging_good:
        return Benchmark("engaging_moments", n, target, Verdict.GOOD, "the prospect was involved")
    if n == 0:
        return Benchmark("engaging_moments", n, target, Verdict.BAD,
                         "no moment where the prospect clearly engaged")
    return Benchmark("engaging_moments", n, target, Verdict.WARN,
                     f"only {n}; winning calls have {t.engaging_good} or more")


def _next_steps(f: CallFigures, t: Thresholds) -> Benchmark:
    n = f.next_steps
    target = f"about {t.next_steps_good} on a discovery call"
    if n >= t.next_steps_good:
        return Benchmark("next_steps", n, target, Verdict.GOOD, "as many as on won deals")
    if n <= t.next_steps_bad:
        return Benchmark("next_steps", n, target, Verdict.BAD,
                         f"{n} next steps is what lost deals show")
    return Benchmark("next_steps", n, target, Verdict.WARN, f"{n}; won deals set about {t.next_steps_good}")


def _openers(f: CallFigures) -> Benchmark:
    n = f.purposeless_openers
    if n:
        return Benchmark("purposeless_openers", n, "none", Verdict.WARN,
                         "opened with a 'touch base' line instead of a reason to talk")
    return Benchmark("purposeless_openers", n, "none", Verdict.GOOD, "the call opened with a purpose")


def _qualification(f: CallFigures) -> Benchmark:
    n = f.qualification_covered
    if n == 4:
        return Benchmark("qualification_covered", n, "4 of 4", Verdict.GOOD, "all four areas covered")
    verdict = Verdict.WARN if n >= 2 else Verdict.BAD
    return Benchmark("qualification_covered", n, "4 of 4", verdict,
                     f"{4 - n} of problem, decision makers, timeline, budget still open")
