"""The nightly adoption: a team's own targets grade its new calls and its own windows time its calls.

Runs on the generated demo history with the minimums lowered, as a team that
has closed enough deals would see it: `ember report --adopt`, then the
settings every path reads, a call added afterwards, and a desk value that
still wins.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from ember.calls.service import analysis_thresholds
from ember.db import unit_of_work
from ember.demo.generator import generate
from ember.models import Contact, ReplanRun, Team, User
from ember.settings import Settings
from ember.settings.cadence import parse_windows
from ember.team_settings import repository as team_repo
from ember.team_settings.effective import settings_for
from tests.analytics.test_team_pages import _login

pytestmark = pytest.mark.db
NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)
MANAGER, REP = "maya.chen@harborlight.example", "sam.okafor@harborlight.example"
CALL = Path(__file__).parents[1] / "calls" / "discovery_call.vtt"


@pytest.fixture
def data(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    generate(engine, contacts=160, seed=5, now=NOW)
    # A team with this much history: enough closed deals and calls to learn from.
    for name, value in (("TEAM_MIN_CLOSED_DEALS", "10"), ("TEAM_MIN_WINDOW_CALLS", "60"),
                        ("TEAM_MIN_CALLS_PER_WINDOW", "8")):
        monkeypatch.setenv(f"EMBER_{name}", value)
    return engine


def _team_and_contact(engine: Engine) -> tuple[int, str]:
    with unit_of_work(engine) as session:
        team_id = session.scalar(select(Team.id).where(Team.name == "Harborlight Sales"))
        email = session.scalar(select(Contact.email).join(User, User.id == Contact.owner_id)
                               .where(User.email == REP, Contact.email.is_not(None)).order_by(Contact.id))
    assert team_id is not None and email is not None
    return team_id, email


def test_adopted_targets_grade_new_calls_and_windows_time_the_plans(data: Engine, ember) -> None:  # type: ignore[no-untyped-def]
    team_id, contact = _team_and_contact(data)
    adopted = ember("report", "--adopt", "--as", MANAGER)
    assert adopted.exit_code == 0, adopted.stderr
    assert "Harborlight Sales: call targets" in adopted.stdout

    with unit_of_work(data) as session:
        taught = team_repo.learned(session, team_id)
        in_use = settings_for(session, Settings(), team_id)
        published = settings_for(session, Settings(), team_id, learned=False)
        runs = list(session.scalars(select(ReplanRun).where(ReplanRun.team_id == team_id)))
    assert taught["analysis_thresholds"], "the history is enough to learn call targets"
    team_targets = analysis_thresholds(in_use.analysis)
    assert team_targets != analysis_thresholds(published.analysis)
    assert taught["call_windows"], "the history is enough to learn call windows"
    assert in_use.cadence.call_windows == taught["call_windows"]
    assert published.cadence.call_windows != taught["call_windows"]
    assert parse_windows(taught["call_windows"])
    # Windows moved, so the team's plans were re-timed by a run nobody had to start.
    assert [(r.status, r.started_by_id) for r in runs] == [("done", None)]

    added = ember("call", "add", "--as", REP, "--contact", contact, "--transcript", str(CALL), "--json")
    assert added.exit_code == 0, added.stderr
    graded = {b["metric"]: b for b in json.loads(added.stdout)["analysis"]["benchmarks"]}
    assert graded["rep_questions"]["target"].startswith(f"about {team_targets.questions_ideal} ")
    assert graded["next_steps"]["target"] == f"about {team_targets.next_steps_good} on a discovery call"


def test_a_value_set_on_the_desk_wins_over_the_learned_one(data: Engine, ember) -> None:  # type: ignore[no-untyped-def]
    team_id, _ = _team_and_contact(data)
    assert ember("report", "--adopt", "--as", MANAGER).exit_code == 0
    with unit_of_work(data) as session:
        manager_id = session.scalar(select(User.id).where(User.email == MANAGER))
        assert manager_id is not None
        learned = analysis_thresholds(settings_for(session, Settings(), team_id).analysis)
        team_repo.put(session, team_id, "analysis_thresholds", f"questions_ideal={learned.questions_ideal + 3}",
                      manager_id)
        team_repo.put(session, team_id, "call_windows", "tue 10:00-11:00 1", manager_id)
    with unit_of_work(data) as session:
        in_use = settings_for(session, Settings(), team_id)
    targets = analysis_thresholds(in_use.analysis)
    assert targets.questions_ideal == learned.questions_ideal + 3  # the manager's choice
    assert targets.next_steps_good == learned.next_steps_good  # the rest still learned
    assert in_use.cadence.call_windows == "tue 10:00-11:00 1"


def test_below_the_minimum_the_published_values_stay(engine: Engine, ember) -> None:  # type: ignore[no-untyped-def]
    generate(engine, contacts=60, seed=5, now=NOW)
    team_id, _ = _team_and_contact(engine)
    adopted = ember("report", "--adopt", "--as", MANAGER)
    assert "the published targets (not enough closed deals yet)" in " ".join(adopted.stdout.split())
    with unit_of_work(engine) as session:
        assert team_repo.learned(session, team_id).get("analysis_thresholds") is None
        assert settings_for(session, Settings(), team_id).analysis.analysis_thresholds == ""


def test_the_desk_shows_what_was_learned_and_what_is_in_use(data: Engine, ember, client) -> None:  # type: ignore[no-untyped-def]
    assert ember("report", "--adopt", "--as", MANAGER).exit_code == 0
    _login(client, MANAGER)
    analysis = client.get("/settings/analysis")
    assert analysis.status_code == 200
    assert "Learned from the history of Harborlight Sales" in analysis.text and "in use: <strong>" in analysis.text
    cadence = client.get("/settings/cadence")
    assert "Learned from the history of Harborlight Sales" in cadence.text and "Call windows" in cadence.text


def test_saving_the_desk_form_unchanged_keeps_the_learned_values(data: Engine, ember, client) -> None:  # type: ignore[no-untyped-def]
    team_id, _ = _team_and_contact(data)
    assert ember("report", "--adopt", "--as", MANAGER).exit_code == 0
    _login(client, MANAGER)
    page = client.get("/settings/cadence")
    form = dict(re.findall(r'<input name="([a-z_]+)"[^>]*value="([^"]*)"', page.text))
    form |= dict(re.findall(r'<textarea name="([a-z_]+)"[^>]*>([^<]*)</textarea>', page.text))
    form["csrf"] = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form["skip_public_holidays"] = "true"
    saved = client.post("/settings/cadence", data=form, follow_redirects=True)
    assert "Nothing changed." in saved.text
    with unit_of_work(data) as session:
        learned = team_repo.learned(session, team_id)["call_windows"]
        assert settings_for(session, Settings(), team_id).cadence.call_windows == learned
