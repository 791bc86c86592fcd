"""Jobs are queued only once the transaction that made their rows has committed."""

from __future__ import annotations

import pytest

from ember.db import unit_of_work
from ember.jobs.outbox import after_commit


def test_queued_after_commit_and_never_after_rollback(engine) -> None:  # type: ignore[no-untyped-def]
    queued: list[str] = []
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        after_commit(session, lambda: queued.append("rolled back"))
        raise RuntimeError("the request failed")
    with unit_of_work(engine) as session:
        after_commit(session, lambda: queued.append("committed"))
        assert queued == []  # not before the commit
    assert queued == ["committed"]
