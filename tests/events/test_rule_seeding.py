"""Two workers that find no trigger rules at the same moment seed the defaults once."""

from __future__ import annotations

import threading

from sqlalchemy import delete, func, select

from ember.db import session_factory, unit_of_work
from ember.events.rule_service import ensure_default_rules
from ember.events.rules import DEFAULT_RULES
from ember.models import TriggerRule


def test_concurrent_seeding_of_rules_adds_each_default_once(engine) -> None:
    with unit_of_work(engine) as session:
        session.execute(delete(TriggerRule))  # as on a database emptied by hand
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def seed() -> None:
        try:
            with session_factory(engine)() as session:
                session.scalar(select(func.count(TriggerRule.id)))  # both see no rules
                barrier.wait(timeout=10)
                ensure_default_rules(session)
                session.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=seed) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(TriggerRule.id))) == len(DEFAULT_RULES)
