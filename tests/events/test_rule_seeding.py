"""Two workers that find no trigger rules at the same moment seed the defaults once."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from ember.db import session_factory, unit_of_work
from ember.events.rules import DEFAULT_RULES
from ember.events.service import ensure_default_rules
from ember.models import TriggerRule
from tests.concurrency import race


def test_concurrent_seeding_of_rules_adds_each_default_once(engine) -> None:
    with unit_of_work(engine) as session:
        session.execute(delete(TriggerRule))  # as on a database emptied by hand
    count = select(func.count(TriggerRule.id))
    assert race(engine, lambda session: session.scalar(count), ensure_default_rules) == []
    with session_factory(engine)() as session:
        assert session.scalar(count) == len(DEFAULT_RULES)
