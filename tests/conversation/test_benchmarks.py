from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from ember.conversation.benchmarks import CallFigures, Thresholds, Verdict, evaluate

BASE = CallFigures(duration_s=1800, rep_talk_ratio=0.43, longest_rep_monologue_s=45,
                   monologue_is_story=False, rep_questions=4, rep_questions_per_min=0.2,
                   engaging_moments=3, next_steps=5, purposeless_openers=0,
                   qualification_covered=4)


def verdicts(**changes: Any) -> dict[str, Verdict]:
    return {b.metric: b.verdict for b in evaluate(replace(BASE, **changes), Thresholds())}


def test_a_call_like_the_winning_ones_is_all_good() -> None:
    assert set(verdicts().values()) == {Verdict.GOOD}


@pytest.mark.parametrize(
    ("change", "metric", "verdict"),
    [
        ({"rep_talk_ratio": 0.70}, "rep_talk_ratio", Verdict.BAD),
        ({"rep_talk_ratio": 0.60}, "rep_talk_ratio", Verdict.WARN),
        ({"longest_rep_monologue_s": 110, "monologue_is_story": True},
         "longest_rep_monologue_s", Verdict.GOOD),
        ({"longest_rep_monologue_s": 110}, "longest_rep_monologue_s", Verdict.WARN),
        ({"longest_rep_monologue_s": 200, "monologue_is_story": True},
         "longest_rep_monologue_s", Verdict.BAD),
        ({"rep_questions": 6, "duration_s": 900}, "rep_questions", Verdict.WARN),
        ({"rep_questions": 6, "duration_s": 3600}, "rep_questions", Verdict.GOOD),
        ({"rep_questions_per_min": 2.5}, "rep_questions_per_minute", Verdict.WARN),
        ({"engaging_moments": 0}, "engaging_moments", Verdict.BAD),
        ({"next_steps": 2}, "next_steps", Verdict.BAD),
        ({"next_steps": 3}, "next_steps", Verdict.WARN),
        ({"qualification_covered": 1}, "qualification_covered", Verdict.BAD),
    ],
)
def test_verdicts_follow_the_seed_figures(change: dict, metric: str, verdict: Verdict) -> None:
    assert verdicts(**change)[metric] is verdict
