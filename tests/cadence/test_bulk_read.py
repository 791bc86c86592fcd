"""The bulk re-plan's raw SQLite reader reads what the Core reader reads, in label order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from ember.cadence.attempts import TouchFact, ordered
from ember.cadence.bulk import _sqlite_text
from ember.cadence.repository import (
    _TOUCHES_SQL,
    CoreReader,
    SQLiteReader,
    connect_sqlite,
    stored_instant,
    touch_fact,
)
from ember.cadence.rules import CadenceSettings, ContactFacts, plan_next
from ember.db import unit_of_work
from ember.messages.defaults import default_library
from ember.messages.service import load_library
from ember.models import Alert, Contact, Deal, MessageVariant, Touch
from tests.factories import make_user

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _fill(engine: Engine) -> tuple[int, int]:
    """Contacts with deals, variants, callbacks, alerts and touches that share an instant."""
    rep = make_user(engine, "rep@ember.example")
    with unit_of_work(engine) as session:
        load_library(session, team_id=None)
        keys = list(session.scalars(select(MessageVariant.id).limit(3)))
        deals = [Deal(owner_id=rep.id, name=f"D{i}", stage=stage, source=source, referred_by_name=name)
                 for i, (stage, source, name) in enumerate((("discovery", "referral", "Ann"), ("closed-lost", None,
                                                                                               None)))]
        session.add_all(deals)
        contacts = [Contact(owner_id=rep.id, first_name=f"C{i}", last_name="X", email=f"c{i}@x.example",
                            timezone=("Europe/Berlin", None)[i % 2], phone="+1 555" if i % 3 else None)
                    for i in range(5)]
        session.add_all(contacts)
        session.flush()
        rnd = random.Random(3)
        for contact in contacts[:4]:
            for n in range(6):
                # Every second touch shares its instant with the one before: ids break the tie.
                at = NOW - timedelta(days=10 - n // 2, microseconds=rnd.randint(0, 999_999) * (n % 2 == 0))
                session.add(Touch(contact_id=contact.id, rep_id=rep.id, channel="call",
                                  outcome=rnd.choice(("no-answer", "voicemail", "not-now", "conversation")),
                                  occurred_at=at, deal_id=rnd.choice([None, *(d.id for d in deals)]),
                                  message_variant_id=rnd.choice([None, *keys]),
                                  callback_at=at + timedelta(days=3) if n == 5 else None))
        session.add(Alert(dedup_key="a1", contact_id=contacts[0].id, rep_id=rep.id, summary="looked at pricing",
                          created_at=NOW - timedelta(hours=1)))
        session.add(Alert(dedup_key="a0", contact_id=contacts[0].id, rep_id=rep.id, summary="older",
                          created_at=NOW - timedelta(hours=5)))
        low, high = contacts[0].id, contacts[-1].id + 1
    return low, high


def _sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the raw reader is the SQLite path")


def test_sqlite_reader_reads_what_the_core_reader_reads(engine: Engine) -> None:
    _sqlite_only(engine)
    low, high = _fill(engine)
    core = CoreReader(engine).read(low, high)
    raw = SQLiteReader(connect_sqlite(engine.url.database or "")).read(low, high)
    assert raw.contacts == core.contacts and len(raw.contacts) == 5
    assert raw.touches == core.touches
    assert sum(map(len, raw.touches.values())) == 24
    for history in raw.touches.values():
        assert history == ordered(history)  # label order, ties broken by id
        assert all(t.occurred_at.tzinfo is UTC for t in history)
    assert raw.deals == core.deals and raw.deals
    assert raw.alerts == core.alerts
    assert next(iter(raw.alerts.values()))[1] == "looked at pricing"  # the latest alert


def test_core_reader_gives_label_order(engine: Engine) -> None:
    low, high = _fill(engine)
    for history in CoreReader(engine).read(low, high).touches.values():
        assert history == ordered(history)


def test_sqlite_touch_query_is_ordered_by_the_index(engine: Engine) -> None:
    # The history order must come from ix_touches_contact_occurred, not a sort of ten million rows.
    _sqlite_only(engine)
    plan = connect_sqlite(engine.url.database or "").execute(f"EXPLAIN QUERY PLAN {_TOUCHES_SQL}", (1, 2)).fetchall()
    details = " ".join(row[-1] for row in plan)
    assert "ix_touches_contact_occurred" in details and "TEMP B-TREE" not in details


def test_touch_fact_equals_the_dataclass_constructor() -> None:
    args = (7, NOW, "voicemail", "call", 3, "vm-1", NOW + timedelta(days=1))
    fast = touch_fact(*args)
    assert fast == TouchFact(*args) and hash(fast) == hash(TouchFact(*args))
    with pytest.raises(AttributeError):
        fast.outcome = "x"  # type: ignore[misc]


def test_storage_text_round_trips() -> None:
    moment = datetime(2026, 3, 29, 3, 30, 0, 1234, tzinfo=ZoneInfo("Europe/Berlin"))  # just after the DST change
    text = _sqlite_text(moment)
    assert text == "2026-03-29 01:30:00.001234"
    assert stored_instant(text) == moment and stored_instant(text).tzinfo is UTC


def test_plan_next_ordered_decides_like_plan_next() -> None:
    rnd = random.Random(5)
    library, settings = default_library(), CadenceSettings()
    keys = [v.key for v in library.variants]
    for n in range(300):
        history = [TouchFact(n * 10 + i, NOW - timedelta(days=rnd.randint(0, 20), hours=rnd.choice((0, 0, 5))),
                             rnd.choice(("no-answer", "voicemail", "email-sent", "conversation", "not-now",
                                         "said-no", "gatekeeper")), rnd.choice(("call", "email")),
                             rnd.choice((None, 1, 2)), rnd.choice((None, *keys)), None)
                   for i in range(rnd.randint(0, 6))]
        rnd.shuffle(history)
        contact = ContactFacts(rnd.choice(("Europe/Berlin", "America/New_York", "Asia/Kolkata")), "DE")
        received = {t.variant_key for t in history if t.variant_key}
        expected = plan_next(history, contact, NOW, settings, received, library, deal_id=1)
        assert plan_next(ordered(history), contact, NOW, settings, received, library, deal_id=1,
                         presorted=True) == expected
