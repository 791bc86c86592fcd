"""A big batch of calls stored as one row, turned into its events by the worker. Pure.

A library's batch of a hundred calls is accepted with one insert: the request
answers as soon as the batch is durable, and the worker writes the hundred
events (each still unique on its messageId) and handles them. A retry of the
same batch is the same row; a call repeated in another batch is caught when
its event is written.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from ember.events.rules import EventIn

BATCH_TYPE = "tracking_batch"  # not an event type: never reaches the trigger rules
# Up to this many events a request writes them itself; the answer then says how many were new.
DIRECT_MAX = 10


def batch_event(raw: bytes, events: list[EventIn], received_at: datetime) -> EventIn:
    digest = hashlib.sha256(raw).hexdigest()[:48]
    return EventIn(f"batch:{digest}", BATCH_TYPE, received_at, None, None, None,
                   {"events": [_dump(e) for e in events]})


def _dump(event: EventIn) -> dict[str, Any]:
    return {"id": event.external_id, "type": event.type, "at": event.occurred_at.isoformat(), "email": event.email,
            "visitor": event.anonymous_id, "url": event.url, "payload": event.payload}


def events_of(payload: dict[str, Any]) -> list[EventIn]:
    return [EventIn(str(item["id"]), str(item["type"]), datetime.fromisoformat(item["at"]), item.get("email"),
                    item.get("visitor"), item.get("url"), dict(item.get("payload") or {}))
            for item in payload.get("events") or []]
