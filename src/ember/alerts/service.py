"""Listing alerts, marking them seen, and the user's notification URLs.

An alert is raised by the events flow (:func:`ember.events.service.raise_alert`)
when a trigger rule fires; this module reads and manages what was raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from ember.alerts import repository
from ember.alerts.destinations import DestinationPolicy, check_url
from ember.errors import InvalidInput, NotFound, Problem
from ember.models import User
from ember.users.access import Actor, require_visible
from ember.users.repository import user_by_email

# ---- reading alerts -----------------------------------------------------------------

def alert_dict(row: Row[Any]) -> dict[str, Any]:
    (id_, summary, created_at, status, delivered_at, seen_at, attempts, last_error, contact_id, first, last,
     email, rule, event_type, url, occurred_at, source, rep) = tuple(row)[:18]
    return {
        "id": id_, "contact": f"{first} {last}".strip() or email, "contact_id": contact_id, "contact_email": email,
        "rule": rule, "event": event_type, "url": url, "source": source,
        "occurred_at": occurred_at.isoformat() if occurred_at else None, "summary": summary,
        "at": created_at.isoformat(), "delivered": delivered_at is not None, "status": status,
        "attempts": attempts, "last_error": last_error, "seen": seen_at is not None, "rep": rep,
    }


def list_alerts(session: Session, actor: Actor, *, rep_email: str | None = None, unseen_only: bool = False,
                limit: int = 100, offset: int = 0, seen_only: bool = False) -> list[dict[str, Any]]:
    rep_id = None
    if rep_email:
        rep = user_by_email(session, rep_email)
        require_visible(actor, rep, f"the alerts of {rep_email}")
        rep_id = rep.id if rep else None
    rows = repository.visible_alerts(session, actor, rep_id=rep_id, unseen_only=unseen_only, limit=limit,
                                     offset=offset, seen_only=seen_only)
    return [alert_dict(row) for row in rows]


def get_alert(session: Session, actor: Actor, alert_id: int) -> dict[str, Any]:
    row = repository.visible_alert_row(session, actor, alert_id)
    if row is None:
        raise NotFound(f"alert {alert_id} not found")
    return alert_dict(row)


def unseen_count(session: Session, actor: Actor) -> int:
    """What the badge shows: the actor's own alerts not seen yet."""
    return repository.unseen_count(session, actor.id)


def mark_seen(session: Session, actor: Actor, alert_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    alert = repository.visible_alert(session, actor, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    if alert.seen_at is None:
        alert.seen_at = now or datetime.now(UTC)
    session.flush()
    return {"id": alert.id, "seen": True}


# ---- where a user wants alerts --------------------------------------------------------

def _check_url(url: str, policy: DestinationPolicy) -> str:
    import apprise

    url = url.strip()
    probe = apprise.Apprise()
    if not url or not probe.add(url):
        raise InvalidInput(f"{url!r} is not a notification URL Ember can use", [Problem(
            "URL", "apprise does not understand it", "use a form like slack://T/B/C, msteams://..., "
            "mailto://user:pass@example.com or json://host/path (see the apprise documentation)")])
    check_url(url, policy)
    return url


def checked_url(url: str, policy: DestinationPolicy) -> str:
    """The URL as it would be kept, or InvalidInput saying why it cannot be used."""
    return _check_url(url, policy)


def notify_urls(session: Session, user: User) -> list[str]:
    return [str(u) for u in user.notify_urls or []]


def set_notify_urls(session: Session, user: User, *, policy: DestinationPolicy, add: Sequence[str] = (),
                    remove: Sequence[str] = (), replace: Sequence[str] | None = None) -> list[str]:
    """Add, remove or replace the user's URLs; each new one is checked, including where it leads."""
    current = [] if replace is not None else notify_urls(session, user)
    for url in [*(replace or ()), *add]:
        checked = _check_url(url, policy)
        if checked not in current:
            current.append(checked)
    missing = [u for u in remove if u not in current]
    if missing:
        raise NotFound(f"{missing[0]} is not one of {user.email}'s notification URLs; "
                       f"see `ember users notify {user.email}`")
    user.notify_urls = [u for u in current if u not in remove]
    session.flush()
    return list(user.notify_urls)
