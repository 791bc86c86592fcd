"""Touch histories: attempt labels and realistic timing."""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import holidays
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ember.demo.cadence import local_labels
from ember.models import Contact, PlannedTouch, Touch
from ember.vocabulary import CONVERSATION_OUTCOMES
from tests.demo.conftest import NOW


def _histories(engine: Engine) -> dict[int, list[Touch]]:
    with Session(engine) as session:
        touches = session.scalars(select(Touch).order_by(Touch.occurred_at, Touch.id)).all()
    by_contact: dict[int, list[Touch]] = defaultdict(list)
    for touch in touches:
        by_contact[touch.contact_id].append(touch)
    return by_contact


def test_ftc_numbers_restart_per_contact_and_end_at_the_first_conversation(
        demo_db: Engine) -> None:
    for history in _histories(demo_db).values():
        talked = next((i for i, t in enumerate(history) if t.outcome in CONVERSATION_OUTCOMES),
                      None)
        ftc_end = len(history) if talked is None else talked + 1
        assert [t.label for t in history[:ftc_end]] == [f"FTC #{n + 1}" for n in range(ftc_end)]
        per_deal: dict[int | None, int] = defaultdict(int)
        for touch in history[ftc_end:]:
            per_deal[touch.deal_id] += 1
            assert touch.label == f"follow-up #{per_deal[touch.deal_id]}"


def test_some_contacts_reach_many_follow_ups_and_some_never_talk(demo_db: Engine) -> None:
    histories = _histories(demo_db).values()
    assert any(len([t for t in h if t.label and t.label.startswith("follow-up")]) >= 5
               for h in histories)
    assert any(all(t.outcome not in CONVERSATION_OUTCOMES for t in h) for h in histories)


def test_touches_fall_in_local_office_hours_on_working_days(demo_db: Engine) -> None:
    with Session(demo_db) as session:
        zones = {i: z or "UTC" for i, z in session.execute(select(Contact.id, Contact.timezone))}
        countries = {i: c or "" for i, c in session.execute(select(Contact.id, Contact.country))}
        touches = session.scalars(select(Touch)).all()
    closed = {code: holidays.country_holidays(code, years=(2025, 2026))
              for code in set(countries.values()) if code}
    for touch in touches:
        local = touch.occurred_at.astimezone(ZoneInfo(zones[touch.contact_id]))
        assert local.weekday() < 5, touch
        assert 8 <= local.hour < 18, touch
        assert local.date() not in closed[countries[touch.contact_id]], touch
        assert touch.occurred_at < NOW


def test_local_labels_agree_with_the_touch_rules() -> None:
    rules = pytest.importorskip("ember.cadence.attempts")
    at = [datetime(2026, 1, d, 10, tzinfo=UTC) for d in range(5, 15)]
    history = [(1, at[0], "voicemail", 7), (2, at[1], "email-sent", 7),
               (3, at[2], "conversation", 7), (4, at[3], "email-sent", 7),
               (5, at[4], "conversation", 9), (6, at[5], "no-answer", 7)]
    facts = [rules.TouchFact(id=i, occurred_at=t, outcome=o, channel="call", deal_id=d)
             for i, t, o, d in history]
    expected = {i: label.text for i, label in rules.label_touches(facts).items()}
    assert local_labels(history) == expected


def test_no_contact_gets_the_same_message_twice(demo_db: Engine) -> None:
    used = 0
    for history in _histories(demo_db).values():
        keys = [t.message_variant_id for t in history if t.message_variant_id is not None]
        assert len(keys) == len(set(keys))
        used += len(keys)
    if importlib.util.find_spec("ember.messages.defaults"):
        assert used > 100


def test_every_planned_touch_is_due_after_the_touch_that_caused_it(demo_db: Engine) -> None:
    with Session(demo_db) as session:
        rows = session.execute(
            select(PlannedTouch.id, PlannedTouch.due_at, Touch.occurred_at)
            .join(Touch, Touch.id == PlannedTouch.caused_by_touch_id)
        ).all()
    assert rows, "the demo plans follow-ups caused by touches"
    early = [(plan_id, due, touched) for plan_id, due, touched in rows if due <= touched]
    assert early == []
