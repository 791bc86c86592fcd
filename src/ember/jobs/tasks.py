"""The background tasks: handle events, deliver alerts, and the sweep that loses nothing.

The database is the truth; the queue only says "look at these rows now".
Every task is safe to run twice (events are claimed, alerts leased), so the
sweep may queue anything that still looks unfinished.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from huey import Huey, crontab
from huey.exceptions import TaskLockedException
from sqlalchemy.exc import IntegrityError, OperationalError

from ember.db import get_engine, unit_of_work
from ember.events.retention import forget_old_events
from ember.jobs.outbox import after_commit
from ember.settings import Settings

log = logging.getLogger(__name__)

# An event pending this long is not on its way through the queue any more.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 5000
EVENTS_PER_TASK = 100


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

    def enqueue_events(self, ids: Sequence[int]) -> None:
        for start in range(0, len(ids), EVENTS_PER_TASK):
            self.process_events(list(ids[start:start + EVENTS_PER_TASK]))


def _handle_events(settings: Settings, jobs: Jobs, ids: Sequence[int]) -> None:
    from ember.events.repository import claim_contactless, mark_failed
    from ember.events.service import process_event
    from ember.tracking.service import write_out_batches

    engine = get_engine(settings.resolved_database_url)
    # A tracking batch stored whole becomes its events first (one transaction).
    with unit_of_work(engine) as session:
        ids = write_out_batches(session, list(ids), now())
    # Most events (anonymous visitors) belong to nobody: one short transaction claims them
    # all; only the rest take the full path, one transaction each.
    with unit_of_work(engine) as session:
        done = set(claim_contactless(session, ids, now()))
    for event_id in (i for i in ids if i not in done):
        try:
            with unit_of_work(engine) as session:
                outcome = process_event(session, event_id, settings=settings, now=now())
                if outcome.alert_ids:
                    after_commit(session, partial(_queue_deliveries, jobs, list(outcome.alert_ids)))
        except (OperationalError, IntegrityError):
            # Busy or away, or a race with another worker on a unique row: the event is still
            # pending, so huey's retry (or the sweep) handles it again; never mark it failed.
            raise
        except Exception:
            log.exception("event %s could not be handled; marked failed", event_id)
            with unit_of_work(engine) as session:
                mark_failed(session, event_id)


def _queue_deliveries(jobs: Jobs, alert_ids: list[int]) -> None:
    for alert_id in alert_ids:
        jobs.deliver_alert(alert_id)


def _deliver(settings: Settings, jobs: Jobs, alert_id: int) -> None:
    from ember.alerts import delivery
    from ember.alerts.destinations import destination_policy

    engine = get_engine(settings.resolved_database_url)
    with unit_of_work(engine) as session:
        message = delivery.claim(session, alert_id, now=now(), public_url=settings.public_url)
    if message is None:
        return
    sent = delivery.send(message, destination_policy(settings))
    with unit_of_work(engine) as session:
        next_at = delivery.record(session, alert_id, sent, now=now())
    if next_at is not None:
        jobs.deliver_alert.schedule((alert_id,), delay=max((next_at - now()).total_seconds(), 1))


def sweep_once(settings: Settings, jobs: Jobs, *, grace: timedelta = SWEEP_GRACE) -> dict[str, int]:
    """Queue every event still pending and every alert due for delivery."""
    from ember.alerts.repository import due_deliveries
    from ember.events.repository import pending_event_ids

    engine = get_engine(settings.resolved_database_url)
    moment = now()
    with unit_of_work(engine) as session:
        events = pending_event_ids(session, moment - grace, SWEEP_BATCH)
        alerts = due_deliveries(session, moment, SWEEP_BATCH)
    jobs.enqueue_events(events)
    for alert_id in alerts:
        jobs.deliver_alert(alert_id)
    return {"events": len(events), "alerts": len(alerts), "outbound": _outbound_retries(engine, moment)}


def _outbound_retries(engine: Any, moment: datetime) -> int:
    """Emails waiting for a retry, when the outbound module is installed."""
    try:
        outbound = importlib.import_module("ember.outbound.service")
    except ImportError:
        return 0
    retry_due = getattr(outbound, "retry_due", None)
    if retry_due is None:
        return 0
    with unit_of_work(engine) as session:
        result = retry_due(session, moment)
    return int(result) if isinstance(result, int) else 0


def sync_inboxes_once(settings: Settings) -> dict[str, int]:
    """Read every connected mailbox; one failing server shows on its own mailbox, not on the others."""
    from ember.inbox.service import all_mailbox_ids
    from ember.inbox.sync import sync_mailbox

    engine = get_engine(settings.resolved_database_url)
    with unit_of_work(engine) as session:
        ids = all_mailbox_ids(session)
    counts = {"mailboxes": len(ids), "matched": 0, "failed": 0}
    for mailbox_id in ids:
        report = sync_mailbox(engine, settings, mailbox_id)
        counts["matched"] += report.matched
        counts["failed"] += report.error is not None
    return counts


def register(huey: Huey, settings: Settings) -> Jobs:
    holder: dict[str, Jobs] = {}

    def process_events(ids: list[int]) -> None:
        _handle_events(settings, holder["jobs"], ids)

    def deliver_alert(alert_id: int) -> None:
        _deliver(settings, holder["jobs"], alert_id)

    def sweep() -> None:
        try:
            with huey.lock_task("ember.sweep"):
                log.info("sweep: %s", sweep_once(settings, holder["jobs"]))
        except TaskLockedException:
            pass  # another worker is sweeping right now

    def forget_events() -> None:
        try:
            with huey.lock_task("ember.forget_events"):
                deleted = forget_old_events(get_engine(settings.resolved_database_url),
                                            keep_days=settings.events_keep_days, now=now())
                log.info("events older than %s days deleted: %s", settings.events_keep_days, deleted)
        except TaskLockedException:
            pass  # another worker is at it

    def sync_inboxes() -> None:
        try:
            with huey.lock_task("ember.sync_inboxes"):
                log.info("inbox sync: %s", sync_inboxes_once(settings))
        except TaskLockedException:
            pass  # the last read is still running

    every = max(1, min(settings.inbox_sync_minutes, 59))
    jobs = Jobs(
        huey=huey,
        process_events=huey.task(retries=5, retry_delay=2, name="ember.process_events")(process_events),
        deliver_alert=huey.task(retries=2, retry_delay=5, name="ember.deliver_alert")(deliver_alert),
        sweep=huey.periodic_task(crontab(minute="*"), name="ember.sweep")(sweep),
        sync_inboxes=huey.periodic_task(crontab(minute=f"*/{every}"), name="ember.sync_inboxes")(sync_inboxes),
        forget_events=huey.periodic_task(crontab(minute="17", hour="3"), name="ember.forget_events")(forget_events),
    )
    holder["jobs"] = jobs
    return jobs
