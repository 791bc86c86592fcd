"""A request's calls stored whole, turned into their events by the worker. Pure.

``/v1/batch`` (and each single call) answers once the calls passed the checks
that can refuse them and are stored, as they came, in one row of this type: one
small insert and one commit, whatever the number of calls. The worker then does
the rest (who each call is about, its corrected time, its event type, one event
per messageId) in the transaction that takes the row away, and settles there
the events that belong to nobody.

Rows stored by earlier versions carry their events already parsed; the worker
writes those out as they are.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from ember.events.rules import EventIn
from ember.json_fast import verbatim
from ember.tracking.keys import KeyScope

BATCH_TYPE = "tracking_batch"  # not an event type: never reaches the trigger rules
KEY = "key"  # the scope of the write key the calls came with: it decides whose identities count
BODY = "body"  # the request's body as it came in ({"batch": [...], "sentAt": ...}), when kept verbatim


def batch_id(body: bytes, scope: KeyScope, path_type: str | None) -> str:
    """The stored row's key: a library's retry of a batch still waiting for the worker is stored once."""
    digest = hashlib.sha256(body)
    digest.update(f"\0{scope.value}\0{path_type or 'batch'}".encode())
    return "batch:" + digest.hexdigest()


def batch_row(calls: bytes | dict[str, Any], scope: KeyScope, *, external_id: str,
              received_at: datetime) -> EventIn:
    """The row that keeps a request's ``calls`` until the worker reads them: the body as it came in
    (bytes) when it may be kept as it is (the caller knows it is a batch, JSON, and holds no secret),
    else the checked batch (``{"batch": [...], "sentAt": ...}``). Kept as it came, a sender's 100
    calls are stored without being read into objects and encoded again, most of what storing costs."""
    payload = {KEY: scope.value, BODY: verbatim(calls)} if isinstance(calls, bytes) else {**calls, KEY: scope.value}
    return EventIn(external_id, BATCH_TYPE, received_at, None, None, None, payload)


def stored_calls(payload: dict[str, Any]) -> dict[str, Any]:
    """The batch a row keeps, ``{"batch": [...], "sentAt": ...}``, in whichever way it was stored."""
    body = payload.get(BODY)
    return body if isinstance(body, dict) else payload


def scope_of(payload: dict[str, Any]) -> KeyScope | None:
    """The key's scope of a stored batch of calls; None for a row of parsed events (an earlier version's)."""
    value = payload.get(KEY)
    return KeyScope(value) if isinstance(value, str) and ("batch" in payload or BODY in payload) else None


def events_of(payload: dict[str, Any]) -> list[EventIn]:
    """The events of a row stored by an earlier version, parsed before it was stored."""
    return [EventIn(str(item["id"]), str(item["type"]), datetime.fromisoformat(item["at"]), item.get("email"),
                    item.get("visitor"), item.get("url"), dict(item.get("payload") or {}))
            for item in payload.get("events") or []]
