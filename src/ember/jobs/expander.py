"""Stored tracking batches written out by one thread of the worker, below its other work.

A marketing site's burst of page views arrives as batches that the web process
stores whole (:mod:`ember.tracking.intake`); turning them into events is most of
what they cost. That work waits for nobody: the events of a stranger only need to
be kept. So each worker process hands it to one thread of its own that runs a few
steps below the process's CPU priority (``EMBER_BATCH_NICE``): on a machine the
worker shares with the web processes, taking requests in comes first, and alerts
(signed events, contacts' events found in the batches) keep the worker's own
priority, since the events someone may be behind are handed back to the ordinary
jobs as soon as they are written.

One thread also means the batches that piled up while it waited are written out
together, in a few larger transactions. Nothing is lost if the process dies: a
batch stays stored until its events are written, and the sweep queues whatever
is still waiting after half a minute for the ordinary jobs to write out.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

IDLE_EXIT_S = 5.0
# Batches written out together at most (a transaction holds up to 500 events of them).
MAX_BATCHES_PER_ROUND = 50


def lower_this_thread(steps: int) -> int:
    """Lower the calling thread's CPU priority by ``steps`` (a nice value, capped at 19); its nice value.

    Only on Linux, where the nice value belongs to each thread: elsewhere the same call would lower
    the whole process, alerts included, so the priority is left as it is."""
    if steps <= 0 or not sys.platform.startswith("linux"):
        return os.nice(0) if hasattr(os, "nice") else 0
    thread = threading.get_native_id()
    nice = min(19, os.getpriority(os.PRIO_PROCESS, thread) + steps)
    os.setpriority(os.PRIO_PROCESS, thread, nice)
    return nice


class BatchExpander:
    """One thread per process (started on demand, gone when idle) that writes out stored batches.

    ``expand`` writes out the batches among some event ids and returns the ids of the events
    someone may be behind; ``hand_over`` queues those for the ordinary jobs."""

    def __init__(self, expand: Callable[[list[int]], list[int]], hand_over: Callable[[list[int]], None], *,
                 nice: int) -> None:
        self.expand = expand
        self.hand_over = hand_over
        self.nice = nice
        self._inbox: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._busy = 0  # ids submitted and not written out yet
        self._idle = threading.Condition(self._lock)

    def submit(self, ids: list[int]) -> None:
        if not ids:
            return
        with self._lock:
            self._busy += len(ids)
            self._inbox.put(ids)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ember-batch-expander", daemon=True)
                self._thread.start()

    @property
    def thread_id(self) -> int | None:
        """The operating system's id of the batch thread while it runs (to watch its priority)."""
        thread = self._thread
        return thread.native_id if thread is not None and thread.is_alive() else None

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Until everything submitted is written out and handed over; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def _run(self) -> None:
        lower_this_thread(self.nice)
        while True:
            try:
                ids = self._inbox.get(timeout=IDLE_EXIT_S)
            except queue.Empty:
                with self._lock:
                    if self._inbox.empty():  # a submit after this check starts a new thread
                        self._thread = None
                        return
                continue
            while len(ids) < MAX_BATCHES_PER_ROUND:
                try:
                    ids = ids + self._inbox.get_nowait()
                except queue.Empty:
                    break
            self._write_out(ids)

    def _write_out(self, ids: list[int]) -> None:
        try:
            pending = self.expand(ids)
            if pending:
                self.hand_over(pending)
        except Exception:  # the batches are still stored: the sweep queues them for the ordinary jobs
            log.exception("stored batches %s..%s not written out yet; the sweep will queue them", ids[0], ids[-1])
        finally:
            with self._idle:
                self._busy -= len(ids)
                self._idle.notify_all()
