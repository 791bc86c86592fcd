"""Every background task, registered in one place: events, alerts, email, inboxes, team numbers and the sweep.

The work itself lives beside its domain (``events/tasks.py``, ``alerts/tasks.py``,
``outbound/tasks.py``, ``inbox/tasks.py``); this module only names the tasks, gives them their retry
policy and the settings of the process, and wires one task's follow-up work to the
next. The database is the truth; the queue only says "look at these rows now".
Every task is safe to run twice (events are claimed, alerts leased, emails keyed),
so the sweep may queue anything that still looks unfinished.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from huey import Huey, crontab
from huey.exceptions import TaskLockedException

from ember.alerts.tasks import deliver_alert, due_alerts
from ember.analytics.tasks import adopt_learned
from ember.db import get_engine, one_write_lock
from ember.events.tasks import forget_events, handle_events, pending_events
from ember.inbox.tasks import sync_inboxes_once
from ember.jobs.expander import MAX_HOLD_S, BatchExpander
from ember.jobs.queue import location, make_huey
from ember.outbound.tasks import retry_due_sends
from ember.settings import Settings
from ember.tallies.service import recount
from ember.tallies.service import refresh as refresh_tallies
from ember.threads import Coalesced
from ember.tracking.tasks import write_out_batches

log = logging.getLogger(__name__)

# An event pending this long is not on its way through the queue any more.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 5000
EVENTS_PER_TASK = 100
# Stored tracking batches are announced to the workers at most this often: a burst of commits costs
# the queue a few messages a second, and the worker's batch thread waits for a pause anyway.
BATCHES_ANNOUNCED_EVERY_S = 0.05


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Jobs:
    """The registered tasks of one huey instance; call them to enqueue."""

    huey: Huey
    process_events: Any
    deliver_alert: Any
    sweep: Any
    sync_inboxes: Any
    forget_events: Any
    adopt_learned: Any
    fold_tallies: Any
    recount_tallies: Any
    expand_batches: Any
    expander: BatchExpander  # this process's thread that writes out stored tracking batches
    batch_announcer: Coalesced  # this process's messages about new stored batches, a few a second

    def enqueue_events(self, ids: Sequence[int]) -> None:
        _in_tasks(self.process_events, ids)

    def enqueue_batches(self, ids: Sequence[int]) -> None:
        """Stored tracking batches: written out by a worker's batch thread, below its other work."""
        self.batch_announcer.add(list(ids))

    def enqueue_alerts(self, alert_ids: Sequence[int]) -> None:
        for alert_id in alert_ids:
            self.deliver_alert(alert_id)


def _in_tasks(task: Any, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), EVENTS_PER_TASK):
        task(list(ids[start:start + EVENTS_PER_TASK]))


def sweep_once(settings: Settings, jobs: Jobs, *, grace: timedelta = SWEEP_GRACE) -> dict[str, int]:
    """Queue every event still pending and every alert due; re-send the emails due for a retry."""
    engine = get_engine(settings.resolved_database_url)
    moment = now()
    events = pending_events(engine, moment - grace, SWEEP_BATCH)
    alerts = due_alerts(engine, moment, SWEEP_BATCH)
    jobs.enqueue_events(events)
    jobs.enqueue_alerts(alerts)
    return {"events": len(events), "alerts": len(alerts), "outbound": retry_due_sends(engine, settings, moment)}


def register(huey: Huey, settings: Settings) -> Jobs:
    holder: dict[str, Jobs] = {}

    def write_out(ids: list[int], moment: datetime) -> list[int]:
        return write_out_batches(get_engine(settings.resolved_database_url), ids, moment,
                                 secret_key=settings.resolved_secret_key())

    def process_events(ids: list[int]) -> None:
        # A stored tracking batch among them (the sweep's) becomes its events first.
        handle_events(get_engine(settings.resolved_database_url), settings, ids, now=now,
                      deliver_alerts=holder["jobs"].enqueue_alerts, expand=write_out)

    # The intake's requests wait for the batch thread's transactions only where writers share one lock.
    hold_s = MAX_HOLD_S if one_write_lock(settings.resolved_database_url) else 0.0
    expander = BatchExpander(lambda ids: write_out(ids, now()), lambda ids: holder["jobs"].enqueue_events(ids),
                             nice=settings.jobs.batch_nice, hold_s=hold_s)

    def deliver(alert_id: int) -> None:
        next_at = deliver_alert(get_engine(settings.resolved_database_url), settings, alert_id, now=now)
        if next_at is not None:
            holder["jobs"].deliver_alert.schedule((alert_id,), delay=max((next_at - now()).total_seconds(), 1))

    def sweep() -> None:
        try:
            with huey.lock_task("ember.sweep"):
                log.info("sweep: %s", sweep_once(settings, holder["jobs"]))
        except TaskLockedException:
            pass  # another worker is sweeping right now

    def forget_old_events() -> None:
        try:
            with huey.lock_task("ember.forget_events"):
                deleted = forget_events(get_engine(settings.resolved_database_url), settings, now=now())
                log.info("events older than %s days deleted: %s", settings.events.events_keep_days, deleted)
        except TaskLockedException:
            pass  # another worker is at it

    def learn_team_numbers() -> None:
        try:
            with huey.lock_task("ember.adopt_learned"):
                adopted = adopt_learned(get_engine(settings.resolved_database_url), settings)
                log.info("learned targets and windows: %s", [(a.team_id, bool(a.thresholds), bool(a.windows))
                                                             for a in adopted])
        except TaskLockedException:
            pass  # another worker is at it

    def fold_tallies() -> None:
        try:
            with huey.lock_task("ember.fold_tallies"):
                folded = refresh_tallies(get_engine(settings.resolved_database_url))
                if folded:
                    log.info("touch ids folded into the running counts: %s", folded)
        except TaskLockedException:
            pass  # the last fold is still running

    def recount_tallies() -> None:
        # Bulk changes (imports, cascades) can move touches behind the running counts' back: once a
        # night they are counted again from the start. Folds wait meanwhile (the same lock).
        try:
            with huey.lock_task("ember.fold_tallies"):
                log.info("running counts recounted: %s touch ids", recount(get_engine(settings.resolved_database_url)))
        except TaskLockedException:
            pass  # a fold is running; the next night recounts

    def sync_inboxes() -> None:
        try:
            with huey.lock_task("ember.sync_inboxes"):
                log.info("inbox sync: %s", sync_inboxes_once(get_engine(settings.resolved_database_url), settings))
        except TaskLockedException:
            pass  # the last read is still running

    every = max(1, min(settings.inbox.inbox_sync_minutes, 59))
    expand_batches = huey.task(name="ember.expand_batches")(expander.submit)
    jobs = Jobs(
        huey=huey,
        process_events=huey.task(retries=5, retry_delay=2, name="ember.process_events")(process_events),
        deliver_alert=huey.task(retries=2, retry_delay=5, name="ember.deliver_alert")(deliver),
        sweep=huey.periodic_task(crontab(minute="*"), name="ember.sweep")(sweep),
        sync_inboxes=huey.periodic_task(crontab(minute=f"*/{every}"), name="ember.sync_inboxes")(sync_inboxes),
        forget_events=huey.periodic_task(crontab(minute="17", hour="3"), name="ember.forget_events")(
            forget_old_events),
        adopt_learned=huey.periodic_task(crontab(minute="41", hour="2"), name="ember.adopt_learned")(
            learn_team_numbers),
        fold_tallies=huey.periodic_task(crontab(minute="*"), name="ember.fold_tallies")(fold_tallies),
        recount_tallies=huey.periodic_task(crontab(minute="23", hour="2"), name="ember.recount_tallies")(
            recount_tallies),
        expand_batches=expand_batches,
        expander=expander,
        batch_announcer=Coalesced(partial(_in_tasks, expand_batches), BATCHES_ANNOUNCED_EVERY_S),
    )
    holder["jobs"] = jobs
    return jobs


_lock = threading.Lock()
_instances: dict[tuple[str, str], Jobs] = {}


def get_jobs(settings: Settings) -> Jobs:
    """One huey with the tasks registered per queue location and name, for the process."""
    key = (location(settings), settings.jobs.queue_name)
    with _lock:
        if key not in _instances:
            _instances[key] = register(make_huey(settings), settings)
        return _instances[key]
