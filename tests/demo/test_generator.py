"""The demo data set: reproducible, in the right proportions, and coherent."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from ember.demo.fixtures import PROOF_POINTS
from ember.demo.generator import existing_demo, generate
from ember.models import (
    Account,
    Call,
    Contact,
    Deal,
    DealStakeholder,
    EventSource,
    InboundEvent,
    NextStep,
    NurtureMembership,
    PlannedTouch,
    ProofPoint,
    Touch,
    TriggerRule,
    User,
)
from ember.vocabulary import ContactStatus, DealStage, Outcome, Role
from tests.demo.conftest import NOW, Build


def _emails(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(Contact.email).order_by(Contact.id)))


def _sequences(engine: Engine, with_times: bool = True) -> list[tuple[object, ...]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Contact.email, Touch.channel, Touch.outcome, Touch.label, Touch.occurred_at)
            .join(Contact, Contact.id == Touch.contact_id)
            .order_by(Touch.contact_id, Touch.occurred_at, Touch.id)
        ).all()
    return [tuple(row) if with_times else tuple(row)[:4] for row in rows]


def test_same_seed_gives_the_same_data(build: Build) -> None:
    first = build("one", contacts=120, seed=5)
    second = build("two", contacts=120, seed=5)
    assert _emails(first) == _emails(second)
    assert _sequences(first) == _sequences(second)


def test_another_seed_gives_other_people(build: Build) -> None:
    assert _emails(build("one", contacts=60, seed=1)) != _emails(build("two", contacts=60, seed=2))


def test_another_day_keeps_people_and_sequences_but_moves_dates(build: Build) -> None:
    today = build("today", contacts=80, seed=3)
    later = build("later", contacts=80, seed=3, now=NOW + timedelta(days=40))
    assert _emails(today) == _emails(later)
    assert _sequences(today, with_times=False) == _sequences(later, with_times=False)
    assert _last_touch(today) < _last_touch(later)


def _last_touch(engine: Engine) -> datetime:
    with Session(engine) as session:
        last = session.scalar(select(func.max(Touch.occurred_at)))
    assert last is not None
    return last


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_counts_follow_the_asked_size(demo_db: Engine) -> None:
    with Session(demo_db) as session:
        assert _count(session, Contact) == 400
        assert 0.3 * 400 <= _count(session, Account) <= 0.45 * 400
        assert _count(session, Deal) == pytest.approx(200, rel=0.1)
        assert _count(session, Touch) == pytest.approx(400 * 6.25, rel=0.2)
        assert _count(session, Call) == 110
        assert _count(session, DealStakeholder) >= _count(session, Deal)
        roles = session.scalars(select(User.role)).all()
        assert sorted(roles).count(Role.REP) == 3
        assert {Role.ADMIN, Role.MANAGER} <= set(roles)
        assert _count(session, ProofPoint) >= 4
        assert _count(session, TriggerRule) >= 4
        assert _count(session, InboundEvent) > 20


def test_touches_per_contact_can_be_raised(build: Build) -> None:
    engine = build(contacts=100, seed=2, touches_per_contact=10)
    with Session(engine) as session:
        assert _count(session, Touch) == pytest.approx(1000, rel=0.2)


def test_every_stage_with_won_and_lost_reasons(demo_db: Engine) -> None:
    with Session(demo_db) as session:
        deals = session.scalars(select(Deal)).all()
    assert {d.stage for d in deals} == {s.value for s in DealStage}
    for deal in deals:
        if deal.stage == DealStage.CLOSED_WON:
            assert deal.outcome == "won" and deal.outcome_reason and deal.closed_at
        elif deal.stage == DealStage.CLOSED_LOST:
            assert deal.outcome == "lost" and deal.outcome_reason and deal.closed_at
        else:
            assert deal.outcome is None and deal.closed_at is None
        assert deal.amount and deal.amount > 0 and deal.product
        assert deal.created_at >= NOW - timedelta(days=290)
    assert any(d.source == "referral" and d.referred_by_name for d in deals)


def test_said_no_means_nurture_and_no_calls_after(demo_db: Engine) -> None:
    with Session(demo_db) as session:
        nurture = session.scalars(
            select(Contact).where(Contact.status == ContactStatus.NURTURE.value)).all()
        members = set(session.scalars(select(NurtureMembership.contact_id)))
        assert nurture and {c.id for c in nurture} <= members
        for contact in nurture:
            last = session.scalars(select(Touch).where(Touch.contact_id == contact.id)
                                   .order_by(Touch.occurred_at.desc(), Touch.id.desc())).first()
            assert last is not None and last.outcome == Outcome.SAID_NO
        assert session.scalar(select(func.count()).select_from(Contact).where(
            Contact.status == ContactStatus.DO_NOT_CONTACT.value))


def test_each_rep_has_a_today_queue(demo_db: Engine) -> None:
    with Session(demo_db) as session:
        reps = session.scalars(select(User.id).where(User.role == Role.REP.value)).all()
        for rep in reps:
            due = session.scalar(select(func.count()).select_from(PlannedTouch).where(
                PlannedTouch.rep_id == rep, PlannedTouch.due_at <= NOW + timedelta(hours=12)))
            assert due and due >= 5
        overdue = session.scalar(select(func.count()).select_from(NextStep).where(
            NextStep.status == "open", NextStep.due_at < NOW))
        assert overdue


def test_planned_touch_labels_continue_the_history(demo_db: Engine) -> None:
    with Session(demo_db) as session:
        plans = session.scalars(select(PlannedTouch).limit(60)).all()
        for plan in plans:
            assert plan.purpose and plan.reason and plan.label
            assert plan.kind in ("ftc", "follow_up")
            assert plan.label.startswith("FTC #" if plan.kind == "ftc" else "follow-up #")


def test_event_sources_have_standard_webhook_secrets(demo_db: Engine) -> None:
    with Session(demo_db) as session:
        sources = {s.name: s.secret for s in session.scalars(select(EventSource))}
        assert set(sources) == {"website", "newsletter", "webinar"}
        for secret in sources.values():
            assert secret.startswith("whsec_")
            assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
        used = set(session.scalars(select(InboundEvent.source)))
        assert used <= set(sources) and "website" in used


def test_the_demo_library_holds_its_own_stories_not_the_samples(demo_db: Engine) -> None:
    with Session(demo_db) as session:
        titles = list(session.scalars(select(ProofPoint.title)))
    assert sorted(titles) == sorted(row[1] for row in PROOF_POINTS)


def test_json_columns_left_empty_are_sql_null(demo_db: Engine) -> None:
    with demo_db.connect() as conn:
        assert not conn.execute(text("SELECT count(*) FROM calls WHERE analysis = 'null' "
                                     "OR parsed_transcript = 'null'")).scalar()


def test_runs_on_the_configured_test_engine(engine: Engine) -> None:
    """Through the shared fixture, so the PostgreSQL pass covers the generator too."""
    summary = generate(engine, contacts=60, seed=4, now=NOW)
    assert summary.counts["contacts"] == 60
    assert existing_demo(engine) == "complete"
    with Session(engine) as session:
        user = User(email="late@harborlight.example", name="Late", role="rep")
        session.add(user)  # the id sequences moved past the ids the generator chose
        session.commit()


def test_planned_touches_propose_a_message_from_the_library(demo_db: Engine) -> None:
    pytest.importorskip("ember.messages.defaults")
    with Session(demo_db) as session:
        proposed = session.scalar(select(func.count()).select_from(PlannedTouch).where(
            PlannedTouch.message_variant_id.is_not(None)))
        assert proposed and proposed > 0
