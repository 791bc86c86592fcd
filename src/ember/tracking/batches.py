"""Batch rows stored whole by earlier versions, turned into their events by the worker. Pure.

A request used to store a big batch of calls as one row and leave the writing of
its events to the worker. Requests now write the events themselves (one
multi-row insert), but rows stored that way before an upgrade may still be
pending: the worker writes their events out (each still unique on its
messageId) and handles them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ember.events.rules import EventIn

BATCH_TYPE = "tracking_batch"  # not an event type: never reaches the trigger rules


def events_of(payload: dict[str, Any]) -> list[EventIn]:
    return [EventIn(str(item["id"]), str(item["type"]), datetime.fromisoformat(item["at"]), item.get("email"),
                    item.get("visitor"), item.get("url"), dict(item.get("payload") or {}))
            for item in payload.get("events") or []]
