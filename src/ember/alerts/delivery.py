"""Delivering an alert through the rep's apprise URLs (Slack, Teams, email, ...).

A delivery is three steps, each its own transaction in the job: claim the
alert (a lease, so two workers never send it at once and a killed worker's
claim runs out), send outside any transaction, record the result with the
next attempt time when it failed (backoff). The in-app feed needs no
delivery: it reads the alerts table.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ember.alerts import repository
from ember.alerts.destinations import ALLOW_SETTING, DestinationPolicy, check_url, guarded_sending
from ember.alerts.rules import LEASE, body, next_status, title
from ember.errors import InvalidInput

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
    target = repository.delivery_target(session, alert_id)
    if target is None:
        return None
    alert, reached = target.alert, set(target.delivered_to)
    urls = [url for url in target.notify_urls if fingerprint(url) not in reached]
    name = f"{alert.first_name} {alert.last_name}".strip() or alert.contact_email or f"contact {alert.contact_id}"
    link = f"{public_url.rstrip('/')}/contacts/{alert.contact_id}" if public_url else None
    return Message(alert_id, urls, title(name), body(name, alert.summary, alert.created_at, link))


@dataclass(frozen=True)
class Sent:
    error: str | None  # None when every URL took the message
    reached: list[str]  # fingerprints of the URLs that took it


def send(message: Message, policy: DestinationPolicy) -> Sent:
    """Send to every URL still to be reached; a failure is kept for the retry log.

    Where a URL leads is checked again now (DNS answers change), and the sending
    itself can open no connection to this machine or a private network."""
    if not message.urls:
        return Sent(None, [])  # in-app only, or every URL reached already
    failed, reached = [], []
    for url in message.urls:
        problem = _send_one(message, url, policy)
        if problem is None:
            reached.append(fingerprint(url))
        else:
            failed.append(f"{_redact(url)}{problem}")
    return Sent(f"could not deliver to {', '.join(failed)}" if failed else None, reached)


def _send_one(message: Message, url: str, policy: DestinationPolicy) -> str | None:
    """None when the URL took the message, else what to add to the error (may be empty)."""
    import apprise

    try:
        check_url(url, policy)
    except InvalidInput as exc:
        return f" ({exc.message}; {exc.problems[0].fix})"
    # The plugin itself, called in this thread (apprise's own dispatcher uses worker
    # threads, where the connection guard, which is per thread, would not apply).
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return " (apprise no longer understands this URL)"
    with guarded_sending(policy) as refused:
        try:
            ok = bool(plugin.notify(title=message.title, body=message.body))
        except Exception as exc:  # a plugin error must not kill the worker
            log.warning("alert %s: %s failed: %s", message.alert_id, _redact(url), exc)
            ok = False
    if refused:
        return (f" (refused to connect to {refused[0]}; an administrator can allow it in "
                f"{ALLOW_SETTING})")
    return None if ok else ""


def fingerprint(url: str) -> str:
    """Stands for a URL in the database without its tokens and passwords."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _redact(url: str) -> str:
    """Scheme and host only: URLs carry tokens and passwords."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…"


def record(session: Session, alert_id: int, sent: Sent, *, now: datetime) -> datetime | None:
    """Store the attempt's result; the time of the next attempt, if one is due."""
    alert = repository.alert_by_id(session, alert_id)
    if alert is None:
        return None
    status, next_at = next_status(alert.attempts, sent.error is None, now)
    alert.status, alert.next_attempt_at, alert.last_error = status, next_at, sent.error
    if sent.reached:
        alert.delivered_to = sorted({*(alert.delivered_to or []), *sent.reached})
    if sent.error is None:
        alert.delivered_at = now
    session.flush()
    return next_at


TEST_TITLE = "Ember test notification"
TEST_BODY = "This channel is set up: Ember's alerts for you will arrive here."


def send_test(url: str, policy: DestinationPolicy) -> str | None:
    """Send a test message to one URL now; None when it arrived, else what went wrong.

    The same checks as a real alert: where the URL leads before sending, and the
    connection guard while sending."""
    problem = _send_one(Message(0, [url], TEST_TITLE, TEST_BODY), url, policy)
    if problem is None:
        return None
    return f"the test did not reach {_redact(url)}{problem or ' (the service refused or did not answer)'}"
