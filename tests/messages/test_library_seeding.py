"""Two workers that find the message library empty at the same moment both succeed."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from ember.db import session_factory
from ember.messages.defaults import DEFAULT_VARIANTS
from ember.messages.service import ensure_defaults
from ember.models import MessageVariant


def test_concurrent_seeding_of_the_library_neither_fails_nor_duplicates(engine) -> None:
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def seed() -> None:
        try:
            with session_factory(engine)() as session:
                session.scalar(select(func.count(MessageVariant.id)))  # both see the empty table
                barrier.wait(timeout=10)
                ensure_defaults(session)
                session.commit()
        except BaseException as exc:  # reported below: a worker would have marked an event failed
            errors.append(exc)

    threads = [threading.Thread(target=seed) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(MessageVariant.id))) == len(DEFAULT_VARIANTS)
