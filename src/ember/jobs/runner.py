"""Running the consumers: ``ember worker`` (a process) and the thread inside ``ember serve``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from huey.consumer import Consumer

from ember.db import get_engine
from ember.inbox.watch import Watchers
from ember.jobs.registry import get_jobs, sweep_once
from ember.settings import Settings

log = logging.getLogger(__name__)


def make_consumer(settings: Settings, workers: int) -> Consumer:
    jobs = get_jobs(settings)
    # Short polling delays keep trigger-to-alert latency well under a second on the
    # SQLite queue (Redis blocks on the queue instead of polling).
    return jobs.huey.create_consumer(workers=workers, worker_type="thread", initial_delay=0.02, backoff=1.3,
                                     max_delay=0.2, periodic=True, check_worker_health=True)


def startup_sweep(settings: Settings) -> None:
    """Whatever a killed worker left behind is queued again before work starts."""
    try:
        log.info("startup sweep: %s", sweep_once(settings, get_jobs(settings), grace=timedelta(0)))
    except Exception:  # the periodic sweep will try again in a minute
        log.exception("startup sweep failed")


@contextmanager
def inbox_watchers(settings: Settings) -> Iterator[Watchers | None]:
    """IMAP IDLE on every connected inbox while the worker runs (new mail is read at once)."""
    if not settings.inbox.inbox_idle:
        yield None
        return
    watchers = Watchers(get_engine(settings.resolved_database_url), settings)
    watchers.start()
    try:
        yield watchers
    finally:
        watchers.close()


def run_worker(settings: Settings, workers: int = 2) -> None:
    """Blocks until SIGINT or SIGTERM (huey's consumer handles the signals)."""
    consumer = make_consumer(settings, workers)
    startup_sweep(settings)
    with inbox_watchers(settings):
        consumer.run()


@contextmanager
def background_consumer(settings: Settings, workers: int = 2) -> Iterator[Consumer]:
    """A consumer in threads of this process (``ember serve`` with the SQLite queue)."""
    consumer = make_consumer(settings, workers)
    startup_sweep(settings)
    # Started by hand: Consumer.start() would take over the signal handlers, which
    # belong to the web server in this process.
    consumer.scheduler.start()
    for _, thread in consumer.worker_threads:
        thread.start()
    try:
        yield consumer
    finally:
        consumer.stop_flag.set()
        for _, thread in consumer.worker_threads:
            thread.join(timeout=10)
        consumer.scheduler.join(timeout=5)


@contextmanager
def serve_consumer(settings: Settings) -> Iterator[Consumer | None]:
    """``ember serve`` runs the jobs itself with the SQLite queue (one laptop, nothing else
    to start); with Redis, ``ember worker`` processes on any machine do."""
    if settings.redis_url:
        yield None
        return
    with background_consumer(settings) as consumer, inbox_watchers(settings):
        yield consumer
