"""Background work of tracking: the batches of calls the intake stored, turned into their events.

The batches of a job are read and their calls parsed outside any write transaction,
then written together in short transactions of their own (take the rows, store the
events, those nobody is behind already handled). On SQLite the write lock is shared
with the requests that store new batches: the shorter the worker holds it, the
sooner they are answered; the fewer transactions, the less each batch costs (one
commit, one lookup of who is behind the visitors, pages of the indexes written once).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ember.db import unit_of_work
from ember.events.rules import EventIn
from ember.tracking import repository, service
from ember.tracking.keys import KeyScope
from ember.tracking.repository import StoredBatch
from ember.tracking.segment import Sender

# Events written in one transaction at most (a few 100-call batches): bounds how long a
# request waits for the write lock behind the worker.
EVENTS_PER_TRANSACTION = 500

Prepared = tuple[StoredBatch, list[EventIn]]


def write_out_batches(engine: Engine, event_ids: list[int], now: datetime, *, secret_key: str) -> list[int]:
    """The events to handle for these ids: stored batches are replaced by the ids of their new events
    that someone may be behind (the rest are settled as they are written)."""
    senders: dict[tuple[str, KeyScope], Sender | None] = {}
    with Session(engine) as session:  # reads only: no write lock while the calls are parsed
        batches = repository.pending_batches(session, event_ids)
        prepared = [(batch, service.events_of_batch(session, batch, secret_key, senders)) for batch in batches]
    taken = {batch.id for batch, _ in prepared}
    ids = [i for i in event_ids if i not in taken]
    for group in _transactions(prepared):
        with unit_of_work(engine) as session:
            ids.extend(service.write_out_batches(session, group, now))
    return ids


def _transactions(prepared: list[Prepared]) -> Iterator[list[Prepared]]:
    """The batches in order, cut into groups of at most EVENTS_PER_TRANSACTION events (a bigger batch alone)."""
    group: list[Prepared] = []
    size = 0
    for batch, events in prepared:
        if group and size + len(events) > EVENTS_PER_TRANSACTION:
            yield group
            group, size = [], 0
        group.append((batch, events))
        size += len(events)
    if group:
        yield group
