"""The running counts stay what a recount from the touches gives: as touches arrive, change and go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ember.contacts.schemas import ContactFields
from ember.contacts.service import delete_contact, update_contact
from ember.db import unit_of_work
from ember.deals.schemas import DealCreate, DealFields
from ember.deals.service import change_stage, create_deal, delete_deal, update_deal
from ember.demo.generator import generate
from ember.dialer.service import mark_gatekeeper
from ember.models import (
    ActivityTally,
    CallDayTally,
    CallHourTally,
    Contact,
    Deal,
    DealCycleTally,
    DealEndTally,
    DealTouchTally,
    FtcDayTally,
    FtcTally,
    TallyCursor,
    Touch,
    TouchOutcome,
    User,
)
from ember.settings.cadence import CadenceSettings
from ember.tallies.service import catch_up, folded, recount, recounting, recounting_deals, refresh
from ember.touches.service import delete_touch, log_touch
from ember.users.access import Actor
from ember.vocabulary import CONVERSATION_OUTCOMES

pytestmark = pytest.mark.db
NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)
ADMIN = "admin@harborlight.example"
# Folds run "later" than the touches the tests write: on PostgreSQL a touch is folded once it has settled.
LATER = datetime.now(UTC) + timedelta(hours=1)


@pytest.fixture
def data(engine: Engine) -> Engine:
    generate(engine, contacts=150, seed=11, now=NOW)
    return engine


def _counts(engine: Engine) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    """Every non-zero count, by its key."""
    with Session(engine) as session:
        hours = {(r.rep_id, r.weekday, r.hour, r.month): (r.calls, r.connects)
                 for r in session.scalars(select(CallHourTally)) if r.calls or r.connects}
        activity = {(r.rep_id, r.channel, r.outcome, r.month): (r.touches,)
                    for r in session.scalars(select(ActivityTally)) if r.touches}
        ftc = {(r.rep_id, r.attempt, r.month): (r.contacts,) for r in session.scalars(select(FtcTally)) if r.contacts}
        day_hours = {(r.day, r.weekday, r.hour): (r.calls, r.connects)
                     for r in session.scalars(select(CallDayTally)) if r.calls or r.connects}
        ftc_days = {(r.day, r.attempt): (r.contacts,) for r in session.scalars(select(FtcDayTally)) if r.contacts}
        deals = {(r.deal_id,): (r.follow_ups, r.said_no)
                 for r in session.scalars(select(DealTouchTally)) if r.follow_ups or r.said_no}
        endings = {(r.owner_id, r.month, r.outcome, r.said_no, r.follow_ups): (r.deals,)
                   for r in session.scalars(select(DealEndTally)) if r.deals}
        cycles = {(r.owner_id, r.month, r.outcome, r.days): (r.deals,)
                  for r in session.scalars(select(DealCycleTally)) if r.deals}
    return {"hours": hours, "activity": activity, "ftc": ftc, "day_hours": day_hours, "ftc_days": ftc_days,
            "deals": deals, "endings": endings, "cycles": cycles}


def _recounted(engine: Engine) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    recount(engine, batch=700, now=LATER)
    return _counts(engine)


def _actor(session: Session, email: str = ADMIN) -> Actor:
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None
    return Actor.of(user)


def _calls(session: Session, outcomes: set[str] | None = None) -> list[Touch]:
    query = select(Touch).where(Touch.channel == "call").order_by(Touch.id)
    if outcomes is not None:
        query = query.where(Touch.outcome.in_(sorted(outcomes)))
    return list(session.scalars(query))


def test_a_refresh_folds_in_only_the_new_touches_and_counts_them_as_a_recount_does(data: Engine) -> None:
    assert refresh(data, batch=500, now=LATER) > 0  # several batches
    with Session(data) as session:
        first = session.scalar(select(TallyCursor.last_touch_id))
        assert first == session.scalar(select(func.max(Touch.id)))
        assert sum(r.calls for r in session.scalars(select(CallHourTally).where(CallHourTally.rep_id == 0))) \
            == len(_calls(session))
        assert sum(r.calls for r in session.scalars(select(CallDayTally))) == len(_calls(session))
    assert refresh(data, now=LATER) == 0  # nothing new, nothing read
    with unit_of_work(data) as session:
        actor = _actor(session, "lena.fischer@harborlight.example")
        contacts = session.scalars(select(Contact).where(Contact.owner_id == actor.id, Contact.status == "active")
                                   .order_by(Contact.id).limit(3)).all()
        zones = ("Asia/Kolkata", "America/New_York", None)  # off the hour, with summer time, none at all
        for contact, zone in zip(contacts, zones, strict=False):
            update_contact(session, _actor(session), contact.id, ContactFields(timezone=zone))
            for hours, outcome in ((30, "no-answer"), (2, "conversation")):
                log_touch(session, actor, contact_id=contact.id, channel="call", outcome=outcome,
                          settings=CadenceSettings(), now=NOW, occurred_at=NOW - timedelta(hours=hours))
    before = _counts(data)
    assert 0 < catch_up(data, now=LATER) <= 10  # the new touches only
    after = _counts(data)
    assert after != before
    assert after == _recounted(data)


def test_a_changed_or_deleted_touch_or_contact_leaves_the_counts_as_a_recount_would(data: Engine) -> None:
    refresh(data, now=LATER)
    with unit_of_work(data) as session:
        actor = _actor(session)
        talked = _calls(session, {str(o) for o in CONVERSATION_OUTCOMES})
        mark_gatekeeper(session, actor, talked[0].id, cadence=CadenceSettings(), now=NOW)
    with unit_of_work(data) as session:
        delete_touch(session, _actor(session), _calls(session)[5].id, settings=CadenceSettings(), now=NOW)
    with unit_of_work(data) as session:
        moved = _calls(session)[9].contact_id
        zone = session.get(Contact, moved).timezone  # type: ignore[union-attr]
        update_contact(session, _actor(session), moved,
                       ContactFields(timezone="Asia/Kathmandu" if zone != "Asia/Kathmandu" else "Europe/Oslo"))
    with unit_of_work(data) as session:
        gone = _calls(session)[-1].contact_id
        delete_contact(session, _actor(session), gone)
    with unit_of_work(data) as session:
        # A call logged before a contact's whole history: every later touch of theirs is labelled again.
        deal_touch = session.scalars(select(Touch).where(Touch.deal_id.is_not(None)).order_by(Touch.id)).first()
        assert deal_touch is not None
        first = session.scalar(select(func.min(Touch.occurred_at)).where(Touch.contact_id == deal_touch.contact_id))
        log_touch(session, _actor(session), contact_id=deal_touch.contact_id, channel="call", outcome="conversation",
                  settings=CadenceSettings(), now=NOW, occurred_at=first - timedelta(days=1))
    refresh(data, now=LATER)  # the new call; the touches it relabelled were recounted as they changed
    changed = _counts(data)
    with Session(data) as session:
        assert session.get(Contact, gone) is None
    assert changed == _recounted(data)


def _deal(session: Session, *where: Any) -> Deal:
    found = session.scalars(select(Deal).where(*where).order_by(Deal.id)).first()
    assert found is not None
    return found


def test_deals_closed_reopened_stalled_moved_added_or_deleted_leave_the_counts_as_a_recount_would(
        data: Engine) -> None:
    refresh(data, now=LATER)
    followed = select(DealTouchTally.deal_id).where(DealTouchTally.follow_ups > 0)
    with unit_of_work(data) as session:
        admin = _actor(session)
        won = _deal(session, Deal.outcome.is_(None), Deal.stalled_at.is_(None), Deal.id.in_(followed))
        change_stage(session, admin, won.id, "closed_won", reason=None, now=NOW)
        reopened = _deal(session, Deal.outcome == "lost", Deal.id.in_(followed))
        change_stage(session, admin, reopened.id, "negotiation", reason=None, now=NOW)
        moved = _deal(session, Deal.outcome == "won", Deal.id != won.id)
        other = session.scalars(select(User).where(User.role == "rep", User.id != moved.owner_id)).first()
        assert other is not None
        update_deal(session, admin, moved.id, DealFields(owner_email=other.email))
        stalled = _deal(session, Deal.outcome.is_(None), Deal.stalled_at.is_(None), Deal.id != won.id)
        with recounting_deals(session, [stalled.id]):  # as the cadence does when follow-ups run out
            stalled.stalled_at = NOW - timedelta(days=40)
        create_deal(session, admin, DealCreate(name="Signed at the fair", stage="closed_lost", outcome="lost",
                                               closed_at=NOW - timedelta(days=2)))
        gone = _deal(session, Deal.stalled_at.is_not(None), Deal.id.in_(followed), Deal.id != stalled.id)
        delete_deal(session, admin, gone.id)
    changed = _counts(data)
    with Session(data) as session:
        assert session.get(Deal, gone.id) is None
    assert changed == _recounted(data)


def test_a_change_wrapped_before_any_fold_is_left_to_the_first_fold(data: Engine) -> None:
    with unit_of_work(data) as session:
        touch = _calls(session)[0]
        with recounting(session, touch_ids=[touch.id]):
            touch.outcome = "gatekeeper"
    refresh(data, now=LATER)
    assert _counts(data) == _recounted(data)


def test_a_new_conversation_outcome_sets_the_counts_aside_until_they_are_counted_again(data: Engine) -> None:
    refresh(data, now=LATER)
    with unit_of_work(data) as session:
        assert folded(session, {str(o) for o in CONVERSATION_OUTCOMES}) is not None
        session.add(TouchOutcome(team_id=None, name="left-voicemail-reply", counts_as_conversation=True))
    with Session(data) as session:
        outcomes = {str(o) for o in CONVERSATION_OUTCOMES} | {"left-voicemail-reply"}
        assert folded(session, outcomes) is None  # readers count from the touches meanwhile
    refresh(data, now=LATER)
    with Session(data) as session:
        assert folded(session, outcomes) == session.scalar(select(func.max(Touch.id)))


def test_newest_touches_deleted_behind_the_counts_back_make_the_next_fold_count_again(data: Engine) -> None:
    refresh(data, now=LATER)
    with unit_of_work(data) as session:  # as a cascade would: no recount around it
        newest = session.scalar(select(func.max(Touch.id)))
        session.execute(Touch.__table__.delete().where(Touch.id > (newest or 0) - 3))
    refresh(data, now=LATER)
    assert _counts(data) == _recounted(data)


def test_the_command_brings_the_counts_up_to_date_and_recounts_by_hand(ember: Any, engine: Engine) -> None:
    generate(engine, contacts=20, seed=3, now=NOW)
    with Session(engine) as session:
        touches = session.scalar(select(func.max(Touch.id)))
    first = ember("db", "recount")
    assert first.exit_code == 0, first.stderr
    assert f"{touches:,} touch ids folded in" in first.stdout
    assert "up to date: 0 touch ids folded in" in ember("db", "recount").stdout  # nothing new
    again = ember("db", "recount", "--from-start")
    assert again.exit_code == 0 and f"{touches:,} touch ids folded in" in again.stdout
