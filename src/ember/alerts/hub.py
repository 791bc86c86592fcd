"""One place per app process that learns of new alerts and wakes the open live feeds.

An open feed (``GET /api/alerts/stream``) holds no database connection and no
worker thread while it waits: it sleeps on its own in-memory queue. New alerts
reach the queues from a *feed source*. The one built in, :class:`PollingSource`,
is a single background task per process that looks for alert ids it has not
seen (one small indexed query every quarter second, whatever the number of open
feeds, and only while at least one is open) and passes them to the hub, which
loads them once and wakes only the feeds of the reps concerned.

Another source (Redis pub/sub, PostgreSQL LISTEN) can take its place by calling
:meth:`AlertHub.publish` with the new alert ids from the event loop; the rest
stays as it is.

Each user may hold a few feeds at once (``EMBER_ALERT_STREAMS_PER_USER``, per
process). Opening one more closes the user's oldest with a ``superseded`` event:
the tab in front of the user is the one that just opened, and the page script
reconnects an older tab only when it is looked at again, so many tabs do not
fight over the slots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from ember.alerts import repository
from ember.alerts.service import alert_dict
from ember.db import unit_of_work

log = logging.getLogger(__name__)

POLL_S = 0.25  # well inside the promise that an alert shows within a second
LOOKBACK_IDS = 200  # ids handed out but committed late (PostgreSQL) are still found
QUEUE_SIZE = 100
RETRY_S = 2.0
SUPERSEDED = "superseded"


@dataclass(eq=False)
class Subscriber:
    """One open feed: the rep whose alerts it shows, and its wake-up queue."""

    rep_id: int
    queue: asyncio.Queue[tuple[dict[str, Any], int] | str] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def offer(self, item: tuple[dict[str, Any], int] | str) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a feed that stopped reading misses alerts, not memory
            self.queue.put_nowait(item)


class FeedSource(Protocol):
    """Tells the hub about new alerts while it has subscribers."""

    async def run(self, hub: AlertHub) -> None: ...


class AlertHub:
    def __init__(self, engine: Engine, *, per_user: int, source: FeedSource | None = None) -> None:
        self.engine = engine
        self.per_user = max(1, per_user)
        self.source: FeedSource = source or PollingSource(engine)
        self._by_rep: dict[int, list[Subscriber]] = defaultdict(list)  # oldest first
        self._task: asyncio.Task[None] | None = None

    @property
    def open_feeds(self) -> int:
        return sum(len(subs) for subs in self._by_rep.values())

    def rep_ids(self) -> list[int]:
        return list(self._by_rep)

    def subscribe(self, rep_id: int) -> Subscriber:
        """Register a feed (on the event loop); the user's oldest is closed past the cap."""
        feeds = self._by_rep[rep_id]
        while len(feeds) >= self.per_user:
            feeds.pop(0).offer(SUPERSEDED)
        subscriber = Subscriber(rep_id)
        feeds.append(subscriber)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run_source())
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        feeds = self._by_rep.get(subscriber.rep_id, [])
        if subscriber in feeds:
            feeds.remove(subscriber)
        if not feeds:
            self._by_rep.pop(subscriber.rep_id, None)

    async def publish(self, alert_ids: list[int]) -> None:
        """Load these alerts once and wake the feeds of their reps (with the rep's unseen count)."""
        reps = self.rep_ids()
        if not alert_ids or not reps:
            return
        loaded = await run_in_threadpool(_load, self.engine, alert_ids, reps)
        for alert, rep_id, unseen in loaded:
            for subscriber in list(self._by_rep.get(rep_id, ())):
                subscriber.offer((alert, unseen))

    async def _run_source(self) -> None:
        try:
            await self.source.run(self)
        except asyncio.CancelledError:
            raise
        except Exception:  # the feeds keep their heartbeats; the next subscriber restarts the source
            log.exception("the live alert source stopped")


def _load(engine: Engine, alert_ids: list[int], rep_ids: list[int]) -> list[tuple[dict[str, Any], int, int]]:
    with unit_of_work(engine) as session:
        rows = repository.alerts_by_ids(session, alert_ids, rep_ids)
        counts = repository.unseen_counts(session, sorted({found.rep_id for found in rows}))
        return [(alert_dict(found.alert), found.rep_id, counts.get(found.rep_id, 0)) for found in rows]


class PollingSource:
    """Looks for new alert ids every ``poll_s`` while the hub has feeds, then stops."""

    def __init__(self, engine: Engine, poll_s: float = POLL_S,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.engine = engine
        self.poll_s = poll_s
        self.sleep = sleep

    async def run(self, hub: AlertHub) -> None:
        newest = await run_in_threadpool(self._newest)
        seen = set(await run_in_threadpool(self._recent, newest - LOOKBACK_IDS))  # there before any feed
        while hub.open_feeds:
            await self.sleep(self.poll_s)
            try:
                recent = await run_in_threadpool(self._recent, newest - LOOKBACK_IDS)
            except Exception:  # the database is away for a moment: the feeds wait, the next look may work
                log.warning("could not look for new alerts; trying again", exc_info=True)
                await self.sleep(RETRY_S)
                continue
            new_ids = [alert_id for alert_id in recent if alert_id not in seen]
            if not new_ids:
                continue
            newest = max(newest, *new_ids)
            seen = {alert_id for alert_id in seen.union(new_ids) if alert_id > newest - LOOKBACK_IDS}
            await hub.publish(new_ids)

    def _newest(self) -> int:
        with unit_of_work(self.engine) as session:
            return repository.newest_alert_id(session)

    def _recent(self, after_id: int) -> list[int]:
        with unit_of_work(self.engine) as session:
            return repository.alert_ids_after(session, after_id)
