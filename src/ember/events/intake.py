"""The hot path of ``POST /events``: signed webhooks in, group-committed, queued, 202 out.

The recipe is the one of :mod:`ember.events.service` (verify the signature, insert
each event unless (source, external id) is stored, queue work for the new ones
only once they are committed, answer 202), built for throughput:

* :class:`EventsIntake` is a plain ASGI layer that sits outside the session
  middleware and the router: webhooks carry no cookies, so neither has work to
  do for them. The body size limit still applies (it wraps this layer).
* The signature is checked on the event loop against the cached ``Webhook`` of
  each source (no database unless the cache is stale or missed).
* :class:`EventWriter` is one thread per app that takes the verified events of
  every request waiting at that moment, inserts them with one cached Core
  statement in one transaction, marks handled those that belong to nobody (one
  statement), commits once, queues one job for the new ids that need the
  worker, and only then answers each request. Under load, one commit and one
  enqueue serve many requests; alone, a request is written at once. On SQLite
  it polls for the write lock every half millisecond while a worker holds it
  (:func:`ember.db.prompt_engine`), rather than sleeping as SQLite does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from ember.api.errors import error_body
from ember.db import prompt_engine, retry_while_locked
from ember.errors import EmberError, InvalidInput
from ember.events.repository import claim_contactless, insert_events_returning_keys
from ember.events.rules import EventIn, parse_body
from ember.events.service import Accepted, SourceCache, verify_with
from ember.threads import RoundsThread

log = logging.getLogger(__name__)

PATH = "/events"
SIGNATURE_HEADERS = (b"webhook-id", b"webhook-timestamp", b"webhook-signature")
# Requests (and events) written in one transaction at most: bounds the time a batch
# holds the write lock and the size of one job for the worker.
MAX_BATCH_REQUESTS = 64
MAX_BATCH_EVENTS = 1000


class _Reload(Exception):
    """The source cache needs a database read: do it off the event loop."""


@dataclass
class _Pending:
    source: str
    events: list[EventIn]
    skipped: list[str]
    received_at: datetime
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Accepted]
    settle: bool  # False: rows the worker expands (a tracking batch), never settled here


class EventWriter:
    """One writer thread per app (started on demand, gone when idle) with group commit."""

    def __init__(self, engine: Engine, enqueue: Callable[[list[int]], None],
                 enqueue_batches: Callable[[list[int]], None] | None = None) -> None:
        self.engine = engine
        self.enqueue = enqueue
        self.enqueue_batches = enqueue_batches or enqueue  # stored tracking batches, for the worker to write out
        self._rounds = RoundsThread("ember-event-writer", self._write, _room_for_more)

    async def write(self, source: str, events: list[EventIn], skipped: list[str], received_at: datetime, *,
                    settle: bool = True) -> Accepted:
        loop = asyncio.get_running_loop()
        pending = _Pending(source, events, skipped, received_at, loop, loop.create_future(), settle)
        self._rounds.put(pending)
        return await pending.future

    def _write(self, batch: list[_Pending]) -> None:
        try:
            results = retry_while_locked(lambda: self._commit(batch))
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0], exc)
                return
            for pending in batch:  # one bad request must not fail the others
                self._write([pending])
            return
        for pending, accepted in zip(batch, results, strict=True):
            _settle(pending, accepted)

    def _commit(self, batch: list[_Pending]) -> list[Accepted]:
        rows: list[tuple[str, EventIn, datetime]] = []
        owner: dict[tuple[str, str], int] = {}  # the first request of the batch to send a key gets it
        for index, pending in enumerate(batch):
            for event in pending.events:
                key = (pending.source, event.external_id)
                if key not in owner:
                    owner[key] = index
                    rows.append((pending.source, event, pending.received_at))
        with self.engine.begin() as conn:
            inserted = insert_events_returning_keys(conn, rows)
            new_ids: list[list[int]] = [[] for _ in batch]
            for new in inserted:
                new_ids[owner[(new.source, new.external_id)]].append(new.id)
            # Most events (anonymous visitors) belong to nobody: claimed here, in the same
            # transaction, they never reach the queue, and the worker's writes never queue up
            # behind ours for the write lock.
            to_settle = [i for pending, ids in zip(batch, new_ids, strict=True) if pending.settle for i in ids]
            settled = set(claim_contactless(conn, to_settle, datetime.now(UTC)))
        to_handle = sorted(i for p, ids in zip(batch, new_ids, strict=True) if p.settle for i in ids
                           if i not in settled)
        to_write_out = sorted(i for p, ids in zip(batch, new_ids, strict=True) if not p.settle for i in ids)
        for enqueue, ids in ((self.enqueue, to_handle), (self.enqueue_batches, to_write_out)):
            if ids:
                try:
                    enqueue(ids)
                except Exception:  # the rows are committed and pending: the sweep queues them
                    log.exception("could not queue background work; the sweep will pick it up")
        return [Accepted(p.source, sorted(ids), len(p.events) - len(ids), p.skipped)
                for p, ids in zip(batch, new_ids, strict=True)]


def _room_for_more(batch: list[_Pending]) -> bool:
    return len(batch) < MAX_BATCH_REQUESTS and sum(len(p.events) for p in batch) < MAX_BATCH_EVENTS


def _settle(pending: _Pending, outcome: Accepted | BaseException) -> None:
    def settle() -> None:
        if pending.future.done():
            return  # the client went away
        if isinstance(outcome, BaseException):
            pending.future.set_exception(outcome)
        else:
            pending.future.set_result(outcome)

    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits for the answer
        pending.loop.call_soon_threadsafe(settle)


class EventsIntake:
    """ASGI layer answering ``POST /events`` itself; everything else goes on to ``app``."""

    def __init__(self, app: ASGIApp, fastapi_app: Any) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        limit = self.fastapi_app.state.settings.events.events_max_bytes
        raw = await read_body(receive, scope, limit)
        headers = {name.decode(): "" for name in SIGNATURE_HEADERS}
        for name, value in scope["headers"]:
            if name in SIGNATURE_HEADERS:
                headers[name.decode()] = value.decode("latin-1")
        source = _query_source(scope.get("query_string", b""))
        status, body = await answer_signed(self.fastapi_app, raw, headers, source)
        await _respond(send, status, body)


async def answer_signed(app: Any, raw: bytes | None, headers: dict[str, str],
                        source: str | None) -> tuple[int, dict[str, Any]]:
    """The one answer to ``POST /events``: status and JSON body. ``raw`` is None when it was too large."""
    if raw is None:
        return 413, error_body("too_large", too_large_message(app.state.settings.events.events_max_bytes))
    try:
        accepted = await receive_signed(app, raw, headers, source)
    except EmberError as exc:
        return exc.status_code, error_body(exc.code, exc.message, exc.problems)
    except Exception:
        log.exception("POST /events failed")
        return 500, error_body("internal", "something went wrong on our side; it was logged")
    return 202, accepted.as_dict()


async def receive_signed(app: Any, raw: bytes, headers: dict[str, str], source: str | None) -> Accepted:
    """Verify, parse, write (group commit), queue; what was new. Raises EmberError for the client's mistakes."""
    cache = source_cache(app)
    try:
        name, body = verify_with(_no_reload(cache), cache, raw, headers, source)
    except _Reload:
        name, body = await run_in_threadpool(_verify_loading, app, cache, raw, headers, source)
    now = datetime.now(UTC)
    parsed = parse_body(body, source=name, webhook_id=headers["webhook-id"], now=now)
    if parsed.problems:
        raise InvalidInput(f"{len(parsed.problems)} problem(s) in the events; nothing was stored", parsed.problems)
    if not parsed.events:
        return Accepted(name, [], 0, parsed.skipped)
    return await event_writer(app).write(name, parsed.events, parsed.skipped, now)


def source_cache(app: Any) -> SourceCache:
    cache = getattr(app.state, "event_sources", None)
    if cache is None:
        cache = app.state.event_sources = SourceCache()
    return cache


def event_writer(app: Any) -> EventWriter:
    writer = getattr(app.state, "event_writer", None)
    if writer is None:
        # Waiting requests take SQLite's write lock as soon as a worker's transaction ends.
        writer = app.state.event_writer = EventWriter(prompt_engine(app.state.engine), app.state.enqueue_events,
                                                      app.state.enqueue_batches)
    return writer


def _no_reload(cache: SourceCache) -> Callable[[bool], None]:
    def load(force: bool) -> None:
        if cache.needs_load(force=force):
            raise _Reload

    return load


def _verify_loading(app: Any, cache: SourceCache, raw: bytes, headers: dict[str, str],
                    source: str | None) -> tuple[str, Any]:
    with Session(app.state.engine) as session:
        return verify_with(lambda force: cache.load(session, force=force), cache, raw, headers, source)


def too_large_message(limit: int) -> str:
    return (f"the events are larger than {limit} bytes; send them in smaller batches "
            "(or raise EMBER_EVENTS_MAX_BYTES)")


async def read_body(receive: Receive, scope: Scope, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to be larger than ``limit``."""
    declared = dict(scope.get("headers", [])).get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _query_source(query: bytes) -> str | None:
    if not query:
        return None
    values = parse_qs(query.decode("latin-1")).get("source")
    return values[-1] if values else None


async def _respond(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body, separators=(",", ":")).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})
