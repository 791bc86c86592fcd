"""A queue served by one thread of its own, started by the first item and gone once idle.

The events writer (group commit of requests) and the worker's batch thread (stored
tracking batches) both take what waits at that moment as one round of work: under
load one round serves many items, alone an item is handled at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

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
