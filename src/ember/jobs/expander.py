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
together, in a few larger transactions. On SQLite it also waits for the intake
to pause: the web process stores each new batch under the same single write lock
these transactions take, so writing out during a burst makes every request of the
burst wait. The thread writes when no batch came for a moment, or at the latest two
seconds after the oldest batch it holds came in: a busy intake never holds a batch's
events (and the alerts they raise) back longer than that.

Nothing is lost if the process dies: a batch stays stored until its events are
written, and the sweep queues whatever is still waiting after half a minute for
the ordinary jobs to write out.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable

from ember.threads import RoundsThread

log = logging.getLogger(__name__)

# Batches written out together at most (a transaction holds up to 500 events of them).
MAX_BATCHES_PER_ROUND = 50
# The intake is busy while batches keep coming less than PAUSE_S apart (they are announced every
# 50 ms at most: BATCHES_ANNOUNCED_EVERY_S in the registry); on SQLite the thread holds a batch at most MAX_HOLD_S
# for a pause.
PAUSE_S = 0.2
MAX_HOLD_S = 2.0

Submitted = tuple[float, list[int]]  # (monotonic time it was submitted, the event ids)


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
    someone may be behind; ``hand_over`` queues those for the ordinary jobs. ``hold_s``: how long a
    batch may wait for a pause in the intake (0: written out at once)."""

    def __init__(self, expand: Callable[[list[int]], list[int]], hand_over: Callable[[list[int]], None], *,
                 nice: int, hold_s: float = 0.0) -> None:
        self.expand = expand
        self.hand_over = hand_over
        self.hold_s = hold_s
        self._rounds = RoundsThread("ember-batch-expander", self._write_out, _room_for_more,
                                    on_start=lambda: lower_this_thread(nice))
        self._busy = 0  # ids submitted and not written out yet
        self._idle = threading.Condition()
        self._last_submitted = 0.0

    def submit(self, ids: list[int]) -> None:
        if not ids:
            return
        with self._idle:
            self._busy += len(ids)
        self._last_submitted = time.monotonic()
        self._rounds.put((self._last_submitted, ids))

    @property
    def thread_id(self) -> int | None:
        """The operating system's id of the batch thread while it runs (to watch its priority)."""
        return self._rounds.thread_id

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Until everything submitted is written out and handed over; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def _write_out(self, rounds: list[Submitted]) -> None:
        self._wait_for_a_pause(held_since=rounds[0][0])
        ids = [i for _, submitted in rounds for i in submitted]
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

    def _wait_for_a_pause(self, held_since: float) -> None:
        """Until no batch came for PAUSE_S, or the oldest batch held was held ``hold_s``."""
        deadline = held_since + self.hold_s
        while (wait := min(self._last_submitted + PAUSE_S, deadline) - time.monotonic()) > 0:
            time.sleep(wait)


def _room_for_more(rounds: list[Submitted]) -> bool:
    return sum(len(ids) for _, ids in rounds) < MAX_BATCHES_PER_ROUND
