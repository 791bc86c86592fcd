"""Two sessions that read the same state and then act at once, for race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ember.db import session_factory


def race(engine: Engine, look: Callable[[Session], object], act: Callable[[Session], object]) -> list[BaseException]:
    """Both threads ``look`` first, then ``act`` and commit together; returns what they raised."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with session_factory(engine)() as session:
                look(session)
                barrier.wait(timeout=10)
                act(session)
                session.commit()
        except BaseException as exc:  # reported to the test: a worker would have failed here
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors
