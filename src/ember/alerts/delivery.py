"""Delivering an alert through the rep's apprise URLs (Slack, Teams, email, ...).

A delivery is three steps, each its own transaction in the job: claim the
alert (a lease, so two workers never send it at once and a killed worker's
claim runs out), send outside any transaction, record the result with the
next attempt time when it failed (backoff). The in-app feed needs no
delivery: it reads the alerts table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ember.alerts import repository
from ember.alerts.rules import LEASE, body, next_status, title
from ember.models import Alert

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    alert_id: int
    urls: list[str]
    title: str
    body: str


def claim(session: Session, alert_id: int, *, now: datetime, public_url: str | None) -> Message | None:
    """The message to send, or None when there is nothing to do now."""
    if not repository.claim_delivery(session, alert_id, now, now + LEASE):
        return None
    row = repository.delivery_target(session, alert_id)
    if row is None:
        return None
    values = tuple(row)
    contact_id, first, last, email, what, at = values[8], values[9], values[10], values[11], values[1], values[2]
    urls = [str(u) for u in values[18] or []]
    name = f"{first} {last}".strip() or email or f"contact {contact_id}"
    link = f"{public_url.rstrip('/')}/contacts/{contact_id}" if public_url else None
    return Message(alert_id, urls, title(name), body(name, what, at, link))


def send(message: Message) -> str | None:
    """Send to every URL; None on success, else what went wrong (for the retry log)."""
    if not message.urls:
        return None  # in-app only: nothing else to deliver to
    import apprise

    failed = []
    for url in message.urls:
        notifier = apprise.Apprise()
        notifier.add(url)
        try:
            ok = bool(notifier.notify(title=message.title, body=message.body))
        except Exception as exc:  # a plugin error must not kill the worker
            log.warning("alert %s: %s failed: %s", message.alert_id, _redact(url), exc)
            ok = False
        if not ok:
            failed.append(_redact(url))
    return f"could not deliver to {', '.join(failed)}" if failed else None


def _redact(url: str) -> str:
    """Scheme and host only: URLs carry tokens and passwords."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…"


def record(session: Session, alert_id: int, error: str | None, *, now: datetime) -> datetime | None:
    """Store the attempt's result; the time of the next attempt, if one is due."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        return None
    status, next_at = next_status(alert.attempts, error is None, now)
    alert.status, alert.next_attempt_at, alert.last_error = status, next_at, error
    if error is None:
        alert.delivered_at = now
    session.flush()
    return next_at
