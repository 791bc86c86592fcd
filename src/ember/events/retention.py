"""Forgetting old events: the events table keeps what is recent (``EMBER_EVENTS_KEEP_DAYS``).

Deletion goes in small batches, each its own transaction, so a first run over
years of events never holds a long lock or one huge transaction while webhooks
keep arriving.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from ember.db import unit_of_work
from ember.events import repository

BATCH = 5_000


def forget_old_events(engine: Engine, *, keep_days: int, now: datetime, batch: int = BATCH) -> int:
    """Delete handled events that arrived more than ``keep_days`` ago; how many were deleted."""
    if keep_days <= 0:
        return 0
    cutoff = now - timedelta(days=keep_days)
    deleted = 0
    while True:
        with unit_of_work(engine) as session:
            count = repository.delete_events_received_before(session, cutoff, batch)
        deleted += count
        if count < batch:
            return deleted
