"""Background work of tracking: the batches of calls the intake stored, turned into their events.

Each batch is read and its calls parsed outside any write transaction, then written
in a short transaction of its own (take the row, insert the events, settle those
nobody is behind). On SQLite the write lock is shared with the requests that store
new batches: the shorter the worker holds it, the sooner they are answered.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ember.db import unit_of_work
from ember.events.rules import EventIn
from ember.tracking import repository, service
from ember.tracking.keys import KeyScope
from ember.tracking.repository import StoredBatch
from ember.tracking.segment import Sender


def write_out_batches(engine: Engine, event_ids: list[int], now: datetime, *, secret_key: str) -> list[int]:
    """The events to handle for these ids: stored batches are replaced by the ids of their new events
    that someone may be behind (the rest are settled as they are written)."""
    senders: dict[tuple[str, KeyScope], Sender | None] = {}
    with Session(engine) as session:  # reads only: no write lock while the calls are parsed
        batches = repository.pending_batches(session, event_ids)
        prepared: list[tuple[StoredBatch, list[EventIn]]] = [
            (batch, service.events_of_batch(session, batch, secret_key, senders)) for batch in batches]
    taken = {batch.id for batch, _ in prepared}
    ids = [i for i in event_ids if i not in taken]
    for batch, events in prepared:
        with unit_of_work(engine) as session:
            ids.extend(service.write_out_batch(session, batch, events, now))
    return ids
