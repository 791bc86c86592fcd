"""Handling one stored event: find its contact, apply the trigger rules, raise alerts.

Runs in a background job, one transaction per event. The event is claimed
first (pending -> handled) inside that transaction, so the work happens once:
a second worker finds nothing to claim, and a worker killed halfway leaves the
event pending for the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ember.alerts.service import TriggerContext, raise_alert
from ember.events import repository
from ember.events.rule_service import ensure_default_rules
from ember.events.rules import EventFact, RuleSpec, fired_rules
from ember.models import Contact, InboundEvent
from ember.settings import Settings


@dataclass
class Outcome:
    handled: bool = False
    contact_id: int | None = None
    alert_ids: list[int] = field(default_factory=list)


def _resolve_contact(session: Session, event: InboundEvent) -> Contact | None:
    """The contact an event belongs to: set by a signed link, by email, or by an earlier
    event of the same anonymous visitor that was tied to someone."""
    if event.contact_id is not None:
        return session.get(Contact, event.contact_id)
    linked = (event.payload or {}).get("contact_id")
    if isinstance(linked, int) and (contact := session.get(Contact, linked)) is not None:
        return contact
    contact = repository.contact_by_email(session, event.email) if event.email else None
    if contact is None and event.anonymous_id:
        known = repository.contact_id_for_anonymous(session, event.anonymous_id)
        contact = session.get(Contact, known) if known is not None else None
    return contact


def _earlier_unmatched(session: Session, event: InboundEvent) -> list[InboundEvent]:
    """Events of this visitor from before we knew who it was; they count from now on."""
    found: dict[int, InboundEvent] = {}
    if event.anonymous_id:
        found.update((e.id, e) for e in repository.unmatched_for_anonymous(session, event.anonymous_id))
    if event.email:
        found.update((e.id, e) for e in repository.unmatched_for_email(session, event.email))
    found.pop(event.id, None)
    return sorted(found.values(), key=lambda e: e.occurred_at)


def _rules(session: Session, contact: Contact) -> list[RuleSpec]:
    ensure_default_rules(session)
    team_id = repository.owner_team(session, contact.owner_id)
    return [repository.to_spec(rule) for rule in repository.rules_for_team(session, team_id)]


def _evaluate(session: Session, contact: Contact, events: list[InboundEvent], rules: list[RuleSpec],
              ctx: TriggerContext) -> list[int]:
    if not rules or not events:
        return []
    longest = max(rule.window for rule in rules)
    history = repository.recent_facts(session, contact.id, min(e.occurred_at for e in events) - longest)
    alert_ids: list[int] = []
    for event in events:
        state = ctx.contact_state(session, contact)
        fact = EventFact(event.type, event.url, event.occurred_at)
        for rule in fired_rules(rules, fact, history, state):
            if ctx.now - event.occurred_at > rule.window:
                continue  # a stale signal (late import, old anonymous visit) wakes nobody up
            alert_id = raise_alert(session, contact, rule, event, history, ctx)
            if alert_id is not None:
                alert_ids.append(alert_id)
    return alert_ids


def process_event(session: Session, event_id: int, *, settings: Settings, now: datetime) -> Outcome:
    """Claim and handle one event. Flushes only; the job commits."""
    event = repository.claim_event(session, event_id, now)
    if event is None:
        return Outcome()  # handled already (a retry, the sweep, or another worker)
    contact = _resolve_contact(session, event)
    if contact is None:
        return Outcome(handled=True)  # kept: matched later when the email appears
    # One worker at a time per contact (PostgreSQL row lock; SQLite writes are serial anyway):
    # the "is there a recent alert?" check and the insert must not interleave across workers.
    repository.lock_contact(session, contact.id)
    event.contact_id = contact.id
    earlier = _earlier_unmatched(session, event)
    for past in earlier:
        past.contact_id = contact.id
    session.flush()
    ctx = TriggerContext(settings=settings, now=now)
    alert_ids = _evaluate(session, contact, [*earlier, event], _rules(session, contact), ctx)
    return Outcome(handled=True, contact_id=contact.id, alert_ids=alert_ids)


def sweep_cutoff(now: datetime, grace_s: float) -> datetime:
    """Pending events older than this are not on their way through the queue any more."""
    return now - timedelta(seconds=grace_s)
