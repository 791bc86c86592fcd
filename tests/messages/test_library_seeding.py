"""Two workers that find the message library empty at the same moment both succeed."""

from __future__ import annotations

from sqlalchemy import func, select

from ember.db import session_factory
from ember.messages.defaults import DEFAULT_VARIANTS
from ember.messages.service import ensure_defaults
from ember.models import MessageVariant
from tests.concurrency import race


def test_concurrent_seeding_of_the_library_neither_fails_nor_duplicates(engine) -> None:
    count = select(func.count(MessageVariant.id))
    assert race(engine, lambda session: session.scalar(count), ensure_defaults) == []
    with session_factory(engine)() as session:
        assert session.scalar(count) == len(DEFAULT_VARIANTS)
