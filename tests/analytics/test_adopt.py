"""What a team learned becomes its call targets and call windows, in the settings' own forms."""

from __future__ import annotations

from ember.analytics.adopt import thresholds_text, windows_text
from ember.analytics.learned import learn, learn_windows
from ember.conversation.benchmarks import CallFigures, Thresholds, Verdict, evaluate
from ember.settings.cadence import parse_windows
from tests.analytics.test_learned import _cells, _deals


def _graded(thresholds: Thresholds, next_steps: int, questions: int) -> dict[str, Verdict]:
    figures = CallFigures(duration_s=1800, rep_talk_ratio=0.45, longest_rep_monologue_s=40, monologue_is_story=False,
                          rep_questions=questions, rep_questions_per_min=0.3, engaging_moments=3,
                          next_steps=next_steps, purposeless_openers=0, qualification_covered=4)
    return {b.metric: b.verdict for b in evaluate(figures, thresholds)}


def test_the_teams_own_targets_grade_its_calls_once_enough_deals_closed() -> None:
    published = Thresholds()
    text = thresholds_text(learn(_deals(), minimum=40, thresholds=published), published)
    assert "next_steps_good=4" in text and "talk_ratio_target=0.425" in text
    # The best question bin (4-5) is what the published figures say already: nothing repeated.
    assert "questions" not in text and "next_steps_bad" not in text
    team = published.with_overrides(text)
    # Four next steps: short of the published five, but what this team's won deals set.
    assert _graded(published, next_steps=4, questions=4)["next_steps"] is Verdict.WARN
    assert _graded(team, next_steps=4, questions=4)["next_steps"] is Verdict.GOOD


def test_below_the_minimum_nothing_is_learned() -> None:
    assert thresholds_text(learn(_deals(), minimum=41, thresholds=Thresholds()), Thresholds()) == ""


def test_learned_windows_are_valid_call_window_settings_best_first() -> None:
    many = learn_windows(_cells(100), minimum_calls=400, per_window=25, published=["Wednesday 16:00-17:00"])
    text = windows_text(many)
    assert text == "wed 16:00-17:00 1"
    assert [(w.weekday, w.start.hour, w.priority) for w in parse_windows(text)] == [(2, 16, 1)]
    few = learn_windows(_cells(20), minimum_calls=400, per_window=25, published=["Wednesday 16:00-17:00"])
    assert windows_text(few) == ""
