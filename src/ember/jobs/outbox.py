"""Queue work only once the transaction that created it has committed.

A job queued inside a request that then rolls back would run against rows
that do not exist; one queued before the commit could run before the rows
are visible. So callers register the enqueue here and it happens after the
commit, or never when the transaction rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = "ember.after_commit"


def after_commit(session: Session, action: Callable[[], object]) -> None:
    session.info.setdefault(_KEY, []).append(action)


def _run(session: Session) -> None:
    actions = session.info.pop(_KEY, [])
    for action in actions:
        try:
            action()
        except Exception:  # the rows are committed: the periodic sweep queues them later
            log.exception("could not queue background work; the sweep will pick it up")


def _drop(session: Session) -> None:
    session.info.pop(_KEY, None)


event.listen(Session, "after_commit", _run)
event.listen(Session, "after_rollback", _drop)
