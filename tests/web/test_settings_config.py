"""Cadence, analysis and mail settings on the desk: per team, validated, and used by the work itself."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from tests.compose_support import smtp_server
from tests.desk_support import Desk, desk_people

from ember.db import unit_of_work
from ember.models import Contact, PlannedTouch, ReplanRun, Team, TeamSetting


@pytest.fixture
def people(engine):  # type: ignore[no-untyped-def]
    return desk_people(engine)


def _team_id(engine, name: str) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return session.query(Team).filter_by(name=name).one().id


def _stored(engine) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return {(row.scope, row.name): row.value for row in session.query(TeamSetting)}


CADENCE = {"call_windows": "wed 16:00-17:00 1; thu 16:00-17:00 2; fri 16:00-17:00 2",
           "qualifying_windows": "mon 08:00-09:00 2; tue 08:00-09:00 2; wed 08:00-09:00 2; thu 08:00-09:00 2; "
                                 "fri 08:00-09:00 2", "working_hours": "08:00-18:00", "email_hour": "09:00",
           "skip_public_holidays": "true", "holidays_country": "", "ftc_spacing_days": "1,2,3,5,7",
           "follow_up_spacing_days": "2,3,5,7,7", "follow_ups_before_stalled": "5", "ftc_attempts_before_pause": "10",
           "not_now_default_days": "30", "nudge_after_days": "14"}


@pytest.mark.parametrize("path", ["/settings/cadence", "/settings/analysis", "/settings/smtp"])
def test_reps_cannot_open_or_change_settings(client, people, path) -> None:
    desk = Desk(client, "sam@ember.example")
    assert desk.get(path).status_code == 403
    assert desk.post(path, {"nudge_after_days": "3"}).status_code == 403


@pytest.mark.parametrize(("field", "value", "where"), [
    ("call_windows", "someday 16:00-17:00", "error-call_windows"),
    ("working_hours", "late", "error-working_hours"),
    ("email_hour", "20:00", "error-"),  # outside working hours: said on the form
    ("follow_ups_before_stalled", "0", "error-follow_ups_before_stalled"),
    ("nudge_after_days", "soon", "error-nudge_after_days"),
    ("holidays_country", "Atlantis", "error-holidays_country"),
])
def test_bad_cadence_values_are_refused_on_the_form_and_nothing_is_stored(client, engine, people, field, value,
                                                                          where) -> None:
    desk = Desk(client, "maya@ember.example")
    answer = desk.post("/settings/cadence", {**CADENCE, field: value, "follow_ups_before_stalled": "3"}
                       if field != "follow_ups_before_stalled" else {**CADENCE, field: value})
    assert answer.status_code == 422 and 'id="form-error"' in answer.text and where in answer.text
    assert f'value="{value}"' in answer.text or f">{value}<" in answer.text  # what was typed is kept
    assert _stored(engine) == {}


def test_a_managers_cadence_is_her_teams_own_and_plans_follow_it(client, engine, people) -> None:
    desk = Desk(client, "maya@ember.example")
    east, west = _team_id(engine, "East"), _team_id(engine, "West")
    answer = desk.post("/settings/cadence", {**CADENCE, "call_windows": "mon 10:00-11:00 1",
                                             "holidays_country": "de"})
    assert answer.status_code == 303
    assert _stored(engine) == {(str(east), "call_windows"): "mon 10:00-11:00 1", (str(east), "holidays_country"): "DE"}
    page = desk.get("/settings/cadence").text
    assert "mon 10:00-11:00 1" in page and "Changed here" in page and "Re-plan now" in page
    assert desk.get(f"/settings/cadence?team={west}").status_code == 404  # not her team
    # A rep of her team logging a call gets the next attempt in the team's own window.
    with unit_of_work(engine) as session:
        for owner in (people["sam"], people["wes"]):
            session.add(Contact(owner_id=owner.id, first_name="Ann", email=f"ann{owner.id}@x.example",
                                phone="+49 30 1234567", timezone="Europe/Berlin", country="DE"))
        session.flush()
        ids = {c.owner_id: c.id for c in session.query(Contact)}
    for rep in (people["sam"], people["wes"]):
        logged = client.post("/api/touches", headers=rep.headers, json={
            "contact_id": ids[rep.id], "channel": "call", "outcome": "no-answer"}).json()
        at = datetime.fromisoformat(logged["next"]["at"])
        if rep is people["sam"]:
            assert (at.weekday(), at.hour) == (0, 10), logged["next"]
        else:
            assert (at.weekday(), at.hour) != (0, 10), logged["next"]  # the other team keeps the defaults


def test_admin_sets_everyone_and_a_team_keeps_its_own(client, engine, people) -> None:
    admin = Desk(client, "admin@ember.example")
    east = _team_id(engine, "East")
    assert admin.post("/settings/cadence", {**CADENCE, "nudge_after_days": "21"}).status_code == 303
    assert admin.post(f"/settings/cadence?team={east}", {**CADENCE, "team": str(east), "nudge_after_days": "7"}
                      ).status_code == 303
    assert _stored(engine) == {("*", "nudge_after_days"): "21", (str(east), "nudge_after_days"): "7"}
    assert 'value="7"' in Desk(client, "maya@ember.example").get("/settings/cadence").text
    admin = Desk(client, "admin@ember.example")  # one browser: log back in as the admin
    assert admin.post("/settings/cadence", {"team": str(east), "action": "reset"}).status_code == 303
    assert _stored(engine) == {("*", "nudge_after_days"): "21"}


def test_analysis_thresholds_are_checked(client, engine, people) -> None:
    desk = Desk(client, "maya@ember.example")
    bad = desk.post("/settings/analysis", {"analysis_thresholds": "charisma=11"})
    assert bad.status_code == 422 and "not a threshold" in bad.text and 'id="error-analysis_thresholds"' in bad.text
    assert _stored(engine) == {}
    page = desk.get("/settings/analysis").text
    name = page.split("<dt><code>")[1].split("</code>")[0]  # the first threshold the page lists
    assert desk.post("/settings/analysis", {"analysis_thresholds": f"{name}=3"}).status_code == 303
    assert list(_stored(engine).values()) == [f"{name}=3"]


def test_smtp_settings_validate_and_the_test_email_arrives(client, engine, people) -> None:
    desk = Desk(client, "admin@ember.example")
    bad = desk.post("/settings/smtp", {"smtp_host": "mail.example", "smtp_port": "99999", "smtp_tls": "rot13",
                                       "smtp_user": "", "smtp_password": "", "mail_from": "nope"})
    assert bad.status_code == 422
    for where in ("error-smtp_port", "error-smtp_tls", "error-mail_from"):
        assert f'id="{where}"' in bad.text
    assert _stored(engine) == {}
    with smtp_server() as (mailbox, port):
        saved = desk.post("/settings/smtp", {"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_tls": "none",
                                             "smtp_user": "", "smtp_password": "", "mail_from": "sales@ember.example"})
        assert saved.status_code == 303
        sent = desk.post("/settings/smtp/test", {"test_to": "maya@ember.example"}, follow_redirects=True)
        assert "Test email sent" in sent.text
        assert len(mailbox.received) == 1 and mailbox.received[0]["From"] == "sales@ember.example"
    refused = desk.post("/settings/smtp/test", {"test_to": "maya@ember.example"})  # the server is gone now
    assert refused.status_code == 422 and "did not take the test email" in refused.text
    assert desk.post("/settings/smtp/test", {"test_to": "not an address"}).status_code == 422


def test_replan_after_a_cadence_change_shows_its_progress(client, engine, people) -> None:
    with unit_of_work(engine) as session:
        for n in range(5):
            session.add(Contact(owner_id=people["sam"].id, first_name=f"C{n}", email=f"c{n}@x.example",
                                phone="+49 30 1234567", timezone="Europe/Berlin", country="DE"))
        session.add(Contact(owner_id=people["wes"].id, first_name="W", email="w@x.example", phone="+1 212 555 0100",
                            timezone="America/New_York", country="US"))
    desk = Desk(client, "maya@ember.example")
    desk.post("/settings/cadence", {**CADENCE, "call_windows": "tue 11:00-12:00 1"})
    started = desk.post("/settings/cadence/replan", headers={"hx-request": "true"})
    assert started.status_code == 200 and "<progress" in started.text and "hx-trigger=\"every 1s\"" in started.text
    with unit_of_work(engine) as session:
        run_id = session.query(ReplanRun).one().id
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = desk.get(f"/settings/cadence/replan/{run_id}").text
        if "Re-planned" in status:
            break
        time.sleep(0.2)
    assert "Re-planned 5 contacts" in status
    with unit_of_work(engine) as session:
        plans = session.query(PlannedTouch).all()
        assert len(plans) == 5 and {p.rep_id for p in plans} == {people["sam"].id}  # only her team's contacts
    assert Desk(client, "sam@ember.example").get(f"/settings/cadence/replan/{run_id}").status_code == 403


def test_a_second_replan_waits_for_the_first_unless_it_was_abandoned(client, engine, people) -> None:
    from datetime import UTC, timedelta

    desk = Desk(client, "maya@ember.example")
    with unit_of_work(engine) as session:
        session.add(ReplanRun(team_id=_team_id(engine, "East"), status="running", total=10, done=3))
    busy = desk.post("/settings/cadence/replan")
    assert busy.status_code == 409 and "already running" in busy.text
    with unit_of_work(engine) as session:
        run = session.query(ReplanRun).one()
        run.started_at = run.started_at.astimezone(UTC) - timedelta(hours=2)
    assert desk.post("/settings/cadence/replan").status_code == 303
    with unit_of_work(engine) as session:
        assert sorted(r.status for r in session.query(ReplanRun)) in (["done", "failed"], ["failed", "running"])
