"""Trigger rules as the desk changes them: delete one, and preview which recent events a rule would have
matched before it is saved (nothing is stored by a preview).

Services flush; the request commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ember.errors import InvalidInput, Problem
from ember.events import repository
from ember.events.rules import ContactState, EventFact, RuleSpec, first_firings
from ember.events.service import RuleInput, editable_rule, validate_rule
from ember.users.access import Actor, require_manager
from ember.vocabulary import Role

PREVIEW_DAYS = 30
PREVIEW_EVENTS = 5000  # the newest events of the type looked at; enough for a month of a team's signals
PREVIEW_SHOWN = 50


@dataclass(frozen=True)
class Match:
    """A contact the rule would have alerted about, at the event that completed it."""

    contact_id: int
    name: str
    email: str | None
    status: str
    at: datetime
    url: str | None
    count: int


@dataclass(frozen=True)
class Preview:
    matches: list[Match]
    contacts: int  # how many contacts would have been alerted (matches may be cut to PREVIEW_SHOWN)
    alerts: int
    events_seen: int
    days: int = PREVIEW_DAYS


def delete_rule(session: Session, actor: Actor, rule_id: int) -> str:
    """Delete a rule the actor may change; the shipped rules may only be switched off (so they are not
    seeded again into a table emptied by hand). Alerts it raised stay, without their rule."""
    rule = editable_rule(session, actor, rule_id)
    if rule.default_key:
        raise InvalidInput(f"“{rule.name}” ships with Ember", [Problem(
            "rule", "shipped rules cannot be deleted", "disable it instead: it then never fires")])
    name = rule.name
    session.delete(rule)
    session.flush()
    return name


def preview_rule(session: Session, actor: Actor, data: RuleInput, now: datetime) -> Preview:
    """Which contacts the rule would have alerted about over the last days, from the events stored."""
    require_manager(actor)
    validate_rule(data)
    spec = RuleSpec(0, data.name, data.event_type, (data.url_pattern or "").strip() or None, data.min_count,
                    data.window_hours, data.audience)
    start = now - timedelta(days=PREVIEW_DAYS)
    team = None if actor.role is Role.ADMIN else actor.team_id
    rows = repository.recent_of_type(session, data.event_type, start - spec.window, team, PREVIEW_EVENTS)
    by_contact: dict[int, list[EventFact]] = defaultdict(list)
    for event in rows:
        by_contact[event.contact_id].append(event.fact)
    matches: list[Match] = []
    for found in repository.contacts_with_state(session, list(by_contact)):
        contact, state = found.contact, ContactState(found.contact.status, found.on_stalled_deal)
        for fact, count in first_firings(spec, by_contact[contact.id], state):
            if fact.occurred_at >= start:
                matches.append(Match(contact.id, contact.full_name, contact.email, contact.status, fact.occurred_at,
                                     fact.url, count))
    matches.sort(key=lambda m: m.at, reverse=True)
    return Preview(matches[:PREVIEW_SHOWN], len({m.contact_id for m in matches}), len(matches), len(rows))
