"""Background work of events: handle what came in, find what is still pending."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from ember.db import unit_of_work
from ember.events.repository import claim_contactless, mark_failed, pending_event_ids
from ember.events.retention import forget_old_events
from ember.events.service import process_event
from ember.jobs.outbox import after_commit
from ember.settings import Settings

log = logging.getLogger(__name__)


def handle_events(engine: Engine, settings: Settings, ids: Sequence[int], *, now: Callable[[], datetime],
                  deliver_alerts: Callable[[list[int]], None],
                  expand: Callable[[list[int], datetime], list[int]] | None = None) -> None:
    """Process each event; alerts they raised are handed to ``deliver_alerts`` once committed.

    ``expand`` first turns the ids into the events to handle, in transactions of its own
    (a tracking batch becomes its events there, those nobody is behind settled already).
    """
    ids = expand(list(ids), now()) if expand else list(ids)
    if not ids:
        return  # stored batches whose events were all settled as they were written
    # Most events (anonymous visitors) belong to nobody: one short transaction claims them
    # all; only the rest take the full path, one transaction each.
    with unit_of_work(engine) as session:
        done = set(claim_contactless(session, ids, now()))
    for event_id in (i for i in ids if i not in done):
        try:
            with unit_of_work(engine) as session:
                outcome = process_event(session, event_id, settings=settings, now=now())
                if outcome.alert_ids:
                    after_commit(session, partial(deliver_alerts, list(outcome.alert_ids)))
        except (OperationalError, IntegrityError):
            # Busy or away, or a race with another worker on a unique row: the event is still
            # pending, so huey's retry (or the sweep) handles it again; never mark it failed.
            raise
        except Exception:
            log.exception("event %s could not be handled; marked failed", event_id)
            with unit_of_work(engine) as session:
                mark_failed(session, event_id)


def pending_events(engine: Engine, received_before: datetime, limit: int) -> list[int]:
    """Events not handled yet that are no longer on their way through the queue."""
    with unit_of_work(engine) as session:
        return pending_event_ids(session, received_before, limit)


def forget_events(engine: Engine, settings: Settings, *, now: datetime) -> int:
    """Delete the events older than EMBER_EVENTS_KEEP_DAYS; how many went."""
    return forget_old_events(engine, keep_days=settings.events.events_keep_days, now=now)
