"""Re-planning everyone after a settings change gives the same plans as one contact at a time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ember.cadence.bulk import replan_all
from ember.cadence.service import replan
from ember.db import unit_of_work
from ember.messages.service import load_library
from ember.models import Contact, PlannedTouch, User
from ember.settings.cadence import CadenceSettings, parse_windows
from ember.team_settings import repository as team_settings
from ember.touches.service import log_touch
from ember.users.access import Actor
from ember.users.repository import user_by_email
from tests.factories import make_user

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _history(engine) -> None:  # type: ignore[no-untyped-def]
    make_user(engine, "rep@ember.example")
    with unit_of_work(engine) as session:
        actor = Actor.of(user_by_email(session, "rep@ember.example"))  # type: ignore[arg-type]
        for index, zone in enumerate(("Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata")):
            contact = Contact(owner_id=actor.id, first_name=f"C{index}", email=f"c{index}@x.example",
                              timezone=zone, phone="+1 555", country=None, created_at=NOW)
            session.add(contact)
            session.flush()
            for outcome in ("gatekeeper", "voicemail", "conversation")[: index + 1]:
                log_touch(session, actor, contact_id=contact.id, channel="call", outcome=outcome,
                          settings=CadenceSettings(), now=NOW, occurred_at=NOW)


def _open_plans(engine) -> dict[int, tuple[str, datetime]]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        rows = session.execute(select(PlannedTouch.contact_id, PlannedTouch.label, PlannedTouch.due_at)
                               .where(PlannedTouch.status == "planned", PlannedTouch.kind != "multithread"))
        return {cid: (label, due) for cid, label, due in rows}


def test_bulk_replan_moves_plans_to_the_new_windows_like_the_single_path(engine) -> None:
    _history(engine)
    before = _open_plans(engine)
    assert len(before) == 4
    thursday_only = CadenceSettings(call_windows=parse_windows("thu 10:00-11:00 1"), qualifying_windows=())
    assert replan_all(engine, thursday_only, workers=1, chunk=2, now=NOW) == 4
    after = _open_plans(engine)
    assert set(after) == set(before)
    with unit_of_work(engine) as session:
        for contact_id, (label, due) in after.items():
            contact = session.get(Contact, contact_id)
            assert contact is not None
            local = due.astimezone(ZoneInfo(contact.timezone))
            single = replan(session, contact, None, now=NOW, settings=thursday_only,
                            library=load_library(session, team_id=None))
            assert single.decision.plan is not None
            assert (single.decision.plan.label.text, single.decision.plan.at) == (label, local)
            if single.decision.plan.channel.value == "call":
                assert local.weekday() == 3 and local.hour == 10
            session.rollback()
    with unit_of_work(engine) as session:
        planned = session.execute(select(PlannedTouch.contact_id).where(PlannedTouch.status == "planned",
                                                                        PlannedTouch.kind != "multithread")).all()
    assert sorted(planned) == sorted((cid,) for cid in after)  # the old plans were replaced, not kept open


def test_ember_replan_reports_what_it_planned(ember, engine) -> None:
    _history(engine)
    result = ember("replan", "--workers", "1", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["planned"] == 4


def _local_call_times(engine) -> dict[str, list[tuple[int, int]]]:  # type: ignore[no-untyped-def]
    """Per owner's email: (weekday, hour) of each planned call, in the contact's own time."""
    found: dict[str, list[tuple[int, int]]] = {}
    with unit_of_work(engine) as session:
        rows = session.execute(select(PlannedTouch.due_at, Contact.timezone, User.email)
                               .join(Contact, Contact.id == PlannedTouch.contact_id)
                               .join(User, User.id == Contact.owner_id)
                               .where(PlannedTouch.status == "planned", PlannedTouch.channel == "call"))
        for due, zone, email in rows:
            local = due.astimezone(ZoneInfo(zone))
            found.setdefault(email, []).append((local.weekday(), local.hour))
    return found


def test_ember_replan_plans_each_contact_with_its_owners_team_settings(ember, engine) -> None:
    _history(engine)  # rep@ember.example, team East
    make_user(engine, "west@ember.example", team="West")
    with unit_of_work(engine) as session:
        west = Actor.of(user_by_email(session, "west@ember.example"))  # type: ignore[arg-type]
        contact = Contact(owner_id=west.id, first_name="W", email="w@x.example", timezone="Europe/Berlin",
                          phone="+49 555", created_at=NOW)
        session.add(contact)
        session.flush()
        log_touch(session, west, contact_id=contact.id, channel="call", outcome="no-answer",
                  settings=CadenceSettings(), now=NOW, occurred_at=NOW)
        east = user_by_email(session, "rep@ember.example")
        assert east is not None and east.team_id is not None
        # What the desk stores when a manager gives East its own windows.
        team_settings.put(session, east.team_id, "call_windows", "mon 11:00-12:00 1", east.id)
        team_settings.put(session, east.team_id, "qualifying_windows", "", east.id)

    result = ember("replan", "--workers", "1", "--json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["planned"] == 5
    calls = _local_call_times(engine)
    assert calls["rep@ember.example"] and set(calls["rep@ember.example"]) == {(0, 11)}  # East: Monday 11-12
    # West keeps the windows everyone has: Wednesday to Friday late afternoon, never East's Monday.
    assert calls["west@ember.example"] and all(day in (2, 3, 4) and hour == 16
                                               for day, hour in calls["west@ember.example"])
