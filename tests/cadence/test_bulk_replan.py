"""Re-planning everyone after a settings change gives the same plans as one contact at a time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ember.cadence.bulk import replan_all
from ember.cadence.repository import REPLANNED_KINDS
from ember.cadence.service import replan, replan_contact
from ember.db import unit_of_work
from ember.demo import fixtures
from ember.demo.generator import generate
from ember.messages.service import library_for, load_library
from ember.models import Contact, PlannedTouch, Team, User
from ember.settings.cadence import CadenceSettings, parse_windows
from ember.team_settings import repository as team_settings
from ember.team_settings.effective import settings_for, team_cadence
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


# ---- the bulk re-plan and the one-contact re-plan agree on a generated data set ------------------

DEMO_NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)
REPLAN_AT = DEMO_NOW + timedelta(days=1, hours=2)
# kind, deal, channel, due, label, message, reason
PlanSeen = tuple[str, int | None, str, datetime, str | None, int | None, str]


def _two_teams_one_with_its_own_cadence(engine) -> None:  # type: ignore[no-untyped-def]
    """Half the demo's reps move to a new team that keeps the shared settings; the demo team gets
    its own call windows (as a manager sets them on the desk). Some contacts opted out of calls or
    email, as CRM exports say."""
    with unit_of_work(engine) as session:
        for contact in session.scalars(select(Contact).where(Contact.id % 7 == 0)):
            contact.do_not_call = True
        for contact in session.scalars(select(Contact).where(Contact.id % 11 == 0)):
            contact.do_not_email = True
        team_id = session.scalar(select(Team.id).where(Team.name == fixtures.TEAM))
        manager = session.scalar(select(User).where(User.email == fixtures.MANAGER_EMAIL))
        assert team_id is not None and manager is not None
        west = Team(name="Harborlight West")
        session.add(west)
        session.flush()
        reps = list(session.scalars(select(User).where(User.team_id == team_id, User.role == "rep")
                                    .order_by(User.id)))
        assert len(reps) >= 2
        for rep in reps[: len(reps) // 2]:
            rep.team_id = west.id
        team_settings.put(session, team_id, "call_windows", "mon 11:00-12:00 1; thu 15:00-16:00 2", manager.id)
        team_settings.put(session, team_id, "qualifying_windows", "", manager.id)


def _one_at_a_time(engine, settings) -> dict[int, PlanSeen | None]:  # type: ignore[no-untyped-def]
    """Each contact re-planned on its own (what the Today page's stale re-plan and the desk's re-plan
    do), with its owner's team settings; rolled back, so the bulk re-plan starts from the same data."""
    found: dict[int, PlanSeen | None] = {}
    with unit_of_work(engine) as session:
        for contact in session.scalars(select(Contact).order_by(Contact.id)).all():
            owner = session.get(User, contact.owner_id)
            cadence = settings_for(session, settings, owner.team_id if owner else None).cadence.planning()
            row = replan_contact(session, contact, now=REPLAN_AT, settings=cadence,
                                 library=library_for(session, contact)).row
            found[contact.id] = None if row is None else (
                row.kind, row.deal_id, row.channel, row.due_at, row.label, row.message_variant_id, row.reason)
        session.rollback()
    return found


def _bulk(engine, settings) -> dict[int, PlanSeen | None]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        cadence = team_cadence(session, settings)
    replan_all(engine, cadence, workers=1, chunk=40, now=REPLAN_AT)
    with unit_of_work(engine) as session:
        found: dict[int, PlanSeen | None] = dict.fromkeys(session.scalars(select(Contact.id)))
        for row in session.scalars(select(PlannedTouch).where(PlannedTouch.status == "planned",
                                                              PlannedTouch.kind.in_(REPLANNED_KINDS))):
            assert found[row.contact_id] is None, f"contact {row.contact_id} has two open plans"
            found[row.contact_id] = (row.kind, row.deal_id, row.channel, row.due_at, row.label,
                                     row.message_variant_id, row.reason)
    return found


def test_bulk_and_one_contact_replans_give_the_same_plans_on_a_generated_data_set(engine, settings) -> None:
    generate(engine, contacts=160, seed=11, now=DEMO_NOW)
    _two_teams_one_with_its_own_cadence(engine)

    single = _one_at_a_time(engine, settings)
    bulk = _bulk(engine, settings)

    assert sum(plan is not None for plan in bulk.values()) > 100  # most contacts have a next touch
    assert {plan[2] for plan in bulk.values() if plan} >= {"call", "email"}
    differing = {cid: (single[cid], bulk[cid]) for cid in single if single[cid] != bulk[cid]}
    assert differing == {}
    # The team's own windows were used: its first-time calls fall on Monday 11-12 or Thursday 15-16 in
    # the contact's time (a callback keeps the time the prospect named); the other team's do not.
    with unit_of_work(engine) as session:
        own_team = session.scalar(select(Team.id).where(Team.name == fixtures.TEAM))
        calls = session.execute(select(PlannedTouch.due_at, Contact.timezone, User.team_id)
                                .join(Contact, Contact.id == PlannedTouch.contact_id)
                                .join(User, User.id == Contact.owner_id)
                                .where(PlannedTouch.status == "planned", PlannedTouch.channel == "call",
                                       PlannedTouch.kind == "ftc")).all()
    own = [due.astimezone(ZoneInfo(zone or "UTC")) for due, zone, team in calls if team == own_team]
    others = [due.astimezone(ZoneInfo(zone or "UTC")) for due, zone, team in calls if team != own_team]
    assert own and others
    assert [at for at in own if (at.weekday(), at.hour) not in {(0, 11), (3, 15)}] == []
    assert any((at.weekday(), at.hour) not in {(0, 11), (3, 15)} for at in others)
