"""Alert wording and delivery retry schedule. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_ATTEMPTS = 8
# How long one worker holds an alert while it talks to Slack, Teams or a mail
# server; after that, the sweep lets another worker try.
LEASE = timedelta(minutes=2)


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour: a flaky webhook gets time to recover."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def next_status(attempts: int, ok: bool, now: datetime) -> tuple[str, datetime | None]:
    """Status and next attempt after a delivery attempt."""
    if ok:
        return "delivered", None
    if attempts >= MAX_ATTEMPTS:
        return "failed", None
    return "pending", now + retry_delay(attempts)


def title(contact: str) -> str:
    return f"{contact} is showing interest again"


def body(contact: str, what: str, at: datetime, link: str | None) -> str:
    lines = [f"{contact} {what} ({at:%Y-%m-%d %H:%M} UTC).",
             "Follow up while it is fresh: Ember has put a trigger follow-up at the top of your Today queue."]
    if link:
        lines.append(link)
    return "\n".join(lines)
