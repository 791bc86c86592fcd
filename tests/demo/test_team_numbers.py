"""The default demo data set gives a manager numbers worth reading: the team's own benchmarks appear."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ember.analytics.service import resolve_view, team_numbers, team_options
from ember.models import User
from ember.settings import Settings
from ember.users.access import Actor
from tests.demo.conftest import NOW, Build


def test_default_demo_learns_the_teams_own_benchmarks(build: Build) -> None:
    engine = build()  # the default 800-contact data set that `ember demo` builds
    with Session(engine) as session:
        manager = session.scalar(select(User).where(User.email == "maya.chen@harborlight.example"))
        assert manager is not None
        numbers = team_numbers(session, resolve_view(session, Actor.of(manager)), team_options(Settings()), now=NOW)
    assert numbers.follow_ups_won.mean is not None and numbers.follow_ups_lost.mean is not None
    assert numbers.follow_ups_won.mean > numbers.follow_ups_lost.mean + 3
    learned = numbers.learned
    assert learned.in_use == "team", f"only {learned.closed_with_calls} closed deals with a call"
    steps = next(f for f in learned.figures if f.metric == "next_steps")
    assert steps.best is not None and steps.best.bin.low >= 4  # won deals set more next steps
    talk = next(f for f in learned.figures if f.metric == "talk_ratio")
    assert talk.best is not None and talk.best.bin.high is not None and talk.best.bin.high <= 0.5
    assert numbers.windows.in_use == "team"
    assert all(name.endswith("16:00-17:00") for name, _ in numbers.windows.team)
    # Every step of the nurture funnel has contacts: some "no"s came back through a trigger and bought.
    nurtured, alerted, reopened, won = (count for _, count, _ in numbers.funnel.steps())
    assert nurtured > alerted > 0 and reopened > won > 0
