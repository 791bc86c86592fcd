"""Threads that serve the intake: a queue served in rounds, and messages coalesced in time.

The events writer (group commit of requests) and the worker's batch thread (stored
tracking batches) both take what waits at that moment as one round of work: under
load one round serves many items, alone an item is handled at once. The writer's
messages to the worker about stored batches are coalesced, so a burst of commits
costs the queue a few messages a second.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

IDLE_EXIT_S = 5.0


class RoundsThread(Generic[T]):
    """``handle`` is called in the thread with the items waiting, taken while ``take_more`` says so;
    ``on_start`` runs first in each new thread."""

    def __init__(self, name: str, handle: Callable[[list[T]], None], take_more: Callable[[list[T]], bool],
                 on_start: Callable[[], object] | None = None) -> None:
        self.name = name
        self.handle = handle
        self.take_more = take_more
        self.on_start = on_start
        self._queue: queue.SimpleQueue[T] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def put(self, item: T) -> None:
        with self._lock:
            self._queue.put(item)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    @property
    def thread_id(self) -> int | None:
        """The operating system's id of the thread while it runs (to watch it, e.g. its priority)."""
        thread = self._thread
        return thread.native_id if thread is not None and thread.is_alive() else None

    def _run(self) -> None:
        if self.on_start is not None:
            self.on_start()
        while True:
            try:
                first = self._queue.get(timeout=IDLE_EXIT_S)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():  # a put after this check starts a new thread
                        self._thread = None
                        return
                continue
            items = [first]
            while self.take_more(items):
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self.handle(items)


class Coalesced:
    """``send`` called with the ids added since its last call, at most once every ``every_s``: the
    first ids at once, those added within the interval together at its end (from a timer thread).

    For work queued per commit during a burst: one message for many commits instead of one each."""

    def __init__(self, send: Callable[[list[int]], None], every_s: float) -> None:
        self.send = send
        self.every_s = every_s
        self._lock = threading.Lock()
        self._sending = threading.Lock()  # one send at a time, so a flush waits for the one under way
        self._waiting: list[int] = []
        self._sent_at = float("-inf")
        self._timer: threading.Timer | None = None

    def add(self, ids: list[int]) -> None:
        with self._lock:
            self._waiting.extend(ids)
            if self._timer is not None:
                return  # the timer takes these along
            wait = self._sent_at + self.every_s - time.monotonic()
            if wait > 0:
                self._timer = threading.Timer(wait, self._send_waiting)
                self._timer.daemon = True
                self._timer.start()
                return
        self._send_waiting()

    def flush(self) -> None:
        """Send what waits now, without waiting for the interval's end; returns once it is sent."""
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        self._send_waiting()

    def _send_waiting(self) -> None:
        with self._sending:
            with self._lock:
                ids, self._waiting, self._timer = self._waiting, [], None
                self._sent_at = time.monotonic()
            if ids:
                try:
                    self.send(ids)
                except Exception:  # the rows are committed and pending: the sweep queues them
                    log.exception("could not queue background work for %d rows; the sweep will pick them up",
                                  len(ids))
