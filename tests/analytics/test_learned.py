"""The switch from the published benchmarks to the team's own, on both sides of the minimum."""

from __future__ import annotations

from ember.analytics.learned import learn, learn_windows
from ember.analytics.metrics import CallRow, Cell
from ember.conversation.benchmarks import Thresholds


def _deals() -> list[CallRow]:
    """Won deals set four or more next steps; lost ones one or two (twenty of each)."""
    won = [CallRow(i, True, 4 + i % 3, 4, 0.45, 50.0, 3) for i in range(20)]
    lost = [CallRow(100 + i, False, 1 + i % 2, 8, 0.7, 200.0, 1) for i in range(20)]
    return won + lost


def test_below_the_minimum_the_published_figures_stay_and_we_say_how_many_more_deals() -> None:
    learned = learn(_deals(), minimum=41, thresholds=Thresholds())
    assert learned.in_use == "published"
    assert learned.more_needed == 1
    assert all(f.team_target is None for f in learned.figures)
    assert learned.figures[0].published.startswith("5 or more")


def test_at_the_minimum_the_team_targets_replace_them_with_intervals() -> None:
    learned = learn(_deals(), minimum=40, thresholds=Thresholds())
    assert learned.in_use == "team" and learned.more_needed == 0
    steps = next(f for f in learned.figures if f.metric == "next_steps")
    assert steps.best is not None and steps.best.bin.key == "4"  # the least that wins every time here
    assert steps.team_target is not None and steps.team_target.startswith("4: 100% won")
    questions = next(f for f in learned.figures if f.metric == "questions")
    assert questions.best is not None and questions.best.bin.key == "4-5"


def _cells(calls: int) -> dict[tuple[int, int], Cell]:
    """Wednesday 16:00 connects far more often than the other hours."""
    cells = {(2, 16): Cell(2, 16, calls, calls * 6 // 10)}
    for hour in range(9, 15):
        cells[(1, hour)] = Cell(1, hour, calls, calls // 5)
    return cells


def test_call_windows_switch_once_enough_calls_were_made() -> None:
    few = learn_windows(_cells(20), minimum_calls=400, per_window=25, published=["Wednesday 16:00-17:00"])
    assert few.in_use == "published" and few.more_needed == 400 - 140
    many = learn_windows(_cells(100), minimum_calls=400, per_window=25, published=["Wednesday 16:00-17:00"])
    assert many.in_use == "team"
    assert [name for name, _ in many.team] == ["Wednesday 16:00-17:00"]
