"""Taking calls and deliveries in: authenticate, check, hand to the events writer.

The recipe is the events intake's (verify, insert unless (source, external id) is
stored, queue the new ones after the commit, answer): the write goes through the
same group-committing writer as ``POST /events``. Segment calls are accepted
durably and worked on later, as Segment's own API does: the request checks what
can refuse them and stores them as one row (:mod:`ember.tracking.batches`); the
worker makes their events. Tools' deliveries are small and written as events at
once. Keys and provider secrets are cached for a few seconds; a miss reloads at
once, so a key made a moment ago works on its first call, and a revoked key stops
working within seconds.
"""

from __future__ import annotations

import asyncio
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ember.errors import InvalidInput, NotFound, Problem, Unauthorized
from ember.events.intake import event_writer
from ember.events.rules import EventIn, Parsed
from ember.events.service import Accepted
from ember.json_fast import loads
from ember.tracking import repository
from ember.tracking.batches import batch_id, batch_row
from ember.tracking.keys import KeyScope, basic_user, key_hash
from ember.tracking.mapping import EventMap, event_map
from ember.tracking.plain_batch import plain_batch
from ember.tracking.providers.common import Delivery
from ember.tracking.providers.registry import PROVIDERS
from ember.tracking.segment import MAX_BATCH_BYTES, checked_batch

CACHE_TTL_S = 5.0
# A miss (unknown key or source) reloads at most this often: a flood of made-up keys costs
# the database one read a second, not one per request.
MISS_RELOAD_S = 1.0


@dataclass(frozen=True)
class KeyInfo:
    source: str
    scope: KeyScope


@dataclass(frozen=True)
class HookInfo:
    source: str
    kind: str
    secret: str | None
    mapping: EventMap


class TrackingCache:
    """Write keys (by hash) and provider sources (by name), reloaded every few seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reloading = asyncio.Lock()
        self._loaded_at = 0.0
        self.keys: dict[str, KeyInfo] = {}
        self.hooks: dict[str, HookInfo] = {}

    def fresh(self) -> bool:
        return time.monotonic() - self._loaded_at < CACHE_TTL_S

    @property
    def loaded_at(self) -> float:
        return self._loaded_at

    def load(self, session: Session) -> None:
        keys = {row.key_hash: KeyInfo(row.name, KeyScope(row.scope)) for row in repository.live_keys(session)}
        hooks = {s.name: HookInfo(s.name, s.kind, s.provider_secret, event_map(s.kind, s.mapping))
                 for s in repository.all_sources(session) if s.kind in PROVIDERS}
        with self._lock:
            self.keys, self.hooks, self._loaded_at = keys, hooks, time.monotonic()

    def forget(self) -> None:
        with self._lock:
            self._loaded_at = 0.0


def tracking_cache(app: Any) -> TrackingCache:
    cache = getattr(app.state, "tracking_cache", None)
    if cache is None:
        cache = app.state.tracking_cache = TrackingCache()
    return cache


async def _reload(app: Any, cache: TrackingCache) -> None:
    """Read keys and sources again: once for every request waiting now, at most once a second."""
    asked_at = time.monotonic()

    def load() -> None:
        with Session(app.state.engine) as session:
            cache.load(session)

    async with cache.reloading:
        if cache.loaded_at > asked_at:
            return  # another request reloaded while this one waited
        wait = cache.loaded_at + MISS_RELOAD_S - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        await run_in_threadpool(load)


def gunzip(raw: bytes, limit: int) -> bytes:
    """The inflated body, refused as soon as it grows past ``limit`` (a small bomb stays small)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise InvalidInput("the body is not valid gzip", [Problem("Content-Encoding", str(exc),
                                                                  "send gzip data or drop the header")]) from exc
    if len(data) > limit or inflater.unconsumed_tail:
        raise too_large(limit)
    return data


def _json(data: bytes) -> Any:
    """The parsed body. Unlike ``POST /events`` it needs no depth walk: nothing here recurses into
    what a caller nests (only named fields are read), and the parser stops at its own limit."""
    try:
        return loads(data)
    except RecursionError:
        raise InvalidInput("the body is nested too deeply", [Problem(
            "request body", "arrays and objects nest too deeply", "send calls as Segment documents them")]) from None
    except ValueError as exc:
        raise InvalidInput("the body is not JSON", [Problem("request body", str(exc),
                                                            "send a JSON object")]) from exc


def too_large(limit: int) -> InvalidInput:
    return InvalidInput(f"the batch is larger than {limit // 1024} KB", [Problem(
        "request body", f"more than {limit} bytes once inflated", "send at most 500 KB per batch (Segment's limit)")])


def body_of(raw: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding == "gzip":
        return gunzip(raw, MAX_BATCH_BYTES)
    if encoding not in ("", "identity"):
        raise InvalidInput(f"the body is encoded as {encoding!r}", [Problem(
            "Content-Encoding", f"{encoding!r} is not supported", "send gzip or plain JSON")])
    if len(raw) > MAX_BATCH_BYTES:
        raise too_large(MAX_BATCH_BYTES)
    return raw


async def _key_info(app: Any, write_key: str | None) -> KeyInfo:
    if not write_key:
        raise Unauthorized("no write key: send it as the HTTP Basic user (how Segment's libraries send it) "
                           "or as writeKey in the body; make one with `ember sources add NAME --kind segment`")
    cache = tracking_cache(app)
    hashed = key_hash(write_key)
    info = cache.keys.get(hashed) if cache.fresh() else None
    if info is None:
        await _reload(app, cache)
        info = cache.keys.get(hashed)
    if info is None:
        raise Unauthorized("the write key is unknown or was revoked; see `ember sources show NAME`")
    return info


async def receive_calls(app: Any, raw: bytes, *, authorization: str | None, encoding: str,
                        path_type: str | None) -> Accepted:
    """One Segment request (a batch or a single call): authenticated, checked, stored whole for the worker."""
    data = body_of(raw, encoding)
    if path_type is None and (plain := plain_batch(data)) is not None:
        # Nearly every batch: checked in one pass, stored as it came.
        info = await _key_info(app, basic_user(authorization) or plain.write_key)
        if not plain.calls:
            return Accepted(info.source, [], 0, [])
        return await _store(app, info, plain.text, path_type, plain.text)
    body = _json(data)
    body_key = body.get("writeKey") if isinstance(body, dict) else None
    info = await _key_info(app, basic_user(authorization) or (body_key if isinstance(body_key, str) else None))
    batch, problems = checked_batch(body, path_type, len(data))
    if problems:
        raise InvalidInput(f"{len(problems)} problem(s) in the events; nothing was stored", problems)
    if not batch["batch"]:
        return Accepted(info.source, [], 0, [])
    return await _store(app, info, data, path_type, data if _keeps_verbatim(body, data, path_type) else batch)


async def _store(app: Any, info: KeyInfo, data: bytes, path_type: str | None,
                 calls: bytes | dict[str, Any]) -> Accepted:
    """One row in the writer's group commit, settled by the worker (never here): answering takes
    one small insert however many calls the batch holds. ``calls``: see :func:`batch_row`."""
    now = datetime.now(UTC)
    row = batch_row(calls, info.scope, external_id=batch_id(data, info.scope, path_type), received_at=now)
    return await event_writer(app).write(info.source, [row], [], now, settle=False)


def _keeps_verbatim(body: Any, data: bytes, path_type: str | None) -> bool:
    """Whether a request's body can be stored as it came: a batch (a single call is completed
    first) whose text is ASCII, so valid JSON whatever the encoding it was read in, and that does
    not carry its write key (never kept)."""
    return path_type is None and isinstance(body, dict) and "writeKey" not in body and data.isascii()


async def _write(app: Any, source: str, parsed: Parsed, now: datetime) -> Accepted:
    if parsed.problems:
        raise InvalidInput(f"{len(parsed.problems)} problem(s) in the events; nothing was stored", parsed.problems)
    if not parsed.events:
        return Accepted(source, [], 0, parsed.skipped)
    return await event_writer(app).write(source, parsed.events, parsed.skipped, now)


async def _hook_info(app: Any, name: str) -> HookInfo:
    cache = tracking_cache(app)
    info = cache.hooks.get(name) if cache.fresh() else None
    if info is None:
        await _reload(app, cache)
        info = cache.hooks.get(name)
    if info is None:
        raise NotFound(f"no tool source named {name}; create it with `ember sources add {name} --kind KIND`")
    return info


@dataclass(frozen=True)
class HookAnswer:
    status: int
    body: dict[str, Any]


async def receive_delivery(app: Any, name: str, delivery: Delivery) -> HookAnswer:
    """One webhook delivery from a tool: verified its way, mapped, written; or its handshake answered."""
    info = await _hook_info(app, name)
    provider = PROVIDERS[info.kind]
    if not info.secret:
        raise Unauthorized(f"source {name} has no {provider.label} secret yet; paste it with "
                           f"`ember sources secret {name}`")
    provider.verify(delivery, info.secret)
    answer = provider.challenge(delivery, info.secret)
    if answer is not None:
        return HookAnswer(200, answer)
    parsed = provider.parse(delivery, info.mapping)
    if any(e.email is None and e.payload.get("hubspot_object_id") for e in parsed.events):
        parsed.events[:] = await run_in_threadpool(_with_crm_emails, app, parsed.events)
    accepted = await _write(app, name, parsed, delivery.received_at)
    return HookAnswer(202, accepted.as_dict())


def _with_crm_emails(app: Any, events: list[EventIn]) -> list[EventIn]:
    """HubSpot names a contact by its record id; our contacts imported from HubSpot keep it."""
    wanted = [str(e.payload["hubspot_object_id"]) for e in events if e.email is None]
    with Session(app.state.engine) as session:
        emails = repository.emails_by_external_id(session, wanted)
    return [e if e.email else EventIn(e.external_id, e.type, e.occurred_at,
                                      emails.get(str(e.payload["hubspot_object_id"])), e.anonymous_id, e.url,
                                      e.payload)
            for e in events]
