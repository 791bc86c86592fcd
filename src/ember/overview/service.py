"""Everything a rep reads on one contact's page: account, deals with their people and
qualification, one timeline of what happened, the next touch with a readable message,
the promises from calls, and the prospect's local time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ember.cadence import repository as cadence_repository
from ember.cadence.timing import zone
from ember.calls.rules import ANALYSIS
from ember.compose.facts import agreed_step
from ember.contacts import repository as contact_repository
from ember.contacts.service import get_contact
from ember.messages import repository as message_repository
from ember.messages.rules import missing_facts, readable
from ember.messages.service import message_values
from ember.models import Contact, Deal, NextStep, PlannedTouch, User
from ember.overview import repository as queries
from ember.steps import repository as step_repository
from ember.steps.service import due_of
from ember.today.worklist import FACT_WORDS, company_name
from ember.users.access import Actor
from ember.users.repository import user_by_id

QUALIFICATION = (("problem", "Problem recognised"), ("decision_makers", "All decision makers known"),
                 ("timeline", "Timeline to implement"), ("budget", "Price / budget qualified"))
EVENT_WORDS = {"page_view": "Visited a page", "newsletter_subscribe": "Subscribed to the newsletter",
               "podcast_subscribe": "Subscribed to the podcast", "webinar_rsvp": "Signed up for a webinar",
               "content_share": "Shared our content", "demo_use": "Used the demo", "email_reply": "Replied by email",
               "email_click": "Clicked a link in an email", "identify": "Identified on the website",
               "meeting_booked": "Booked a meeting", "meeting_canceled": "Cancelled a booked meeting"}


# How a message from the rep's mailbox was read, in words (the keys are the inbox's kinds).
MAIL_WORDS = {"reply": "reply", "out_of_office": "out of office", "bounce_hard": "bounced",
              "bounce_soft": "bounced for now", "unsubscribe": "asked to stop", "sent": "sent"}


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # touch | call | email | mail | event | alert
    label: str
    text: str
    href: str | None = None
    quote: str = ""  # the first lines of a message, in the sender's words
    note: str = ""  # what Ember made of it


@dataclass(frozen=True)
class DealView:
    deal: Deal
    role: str
    people: list[dict[str, Any]]
    qualification: list[tuple[str, bool, str | None]]  # (item, covered, first quote)


@dataclass
class Overview:
    contact: Contact
    owner: User | None
    company: str | None
    their_now: str
    zone_name: str
    plan: PlannedTouch | None
    message: str | None
    message_needs: list[str]
    deals: list[DealView]
    warnings: list[str]
    steps: list[tuple[NextStep, datetime]]
    timeline: list[Entry] = field(default_factory=list)
    meetings: list[PlannedTouch] = field(default_factory=list)  # booked by the contact, still to be held


def _qualification(deal: Deal) -> list[tuple[str, bool, str | None]]:
    found = deal.qualification or {}
    rows = []
    for key, words in QUALIFICATION:
        item = found.get(key) or {}
        evidence = item.get("evidence") or []
        rows.append((words, bool(item.get("covered")), str(evidence[0].get("quote")) if evidence else None))
    return rows


def _deals(session: Session, contact_id: int) -> list[DealView]:
    deals = queries.deals_of(session, contact_id)
    people = queries.stakeholders_of(session, [d.id for d in deals])
    views = []
    for deal in deals:
        mine: list[dict[str, Any]] = [
            {"contact_id": p.contact_id, "name": f"{p.first_name} {p.last_name}".strip(),
             "role": p.deal_role if p.deal_role != "unknown" else p.contact_role, "deal_role": p.deal_role,
             "evidence": p.evidence, "from_call": p.role_source == ANALYSIS}
            for p in people if p.deal_id == deal.id]
        role = next((p["role"] for p in mine if p["contact_id"] == contact_id), "unknown")
        views.append(DealView(deal, role, mine, _qualification(deal)))
    return views


def _mail_entries(session: Session, contact_id: int) -> tuple[list[Entry], set[int]]:
    """The mailbox's messages, and the touches they were logged as (shown once, as the message)."""
    entries, logged = [], set()
    for mail in queries.mails(session, contact_id):
        if mail.kind == "sent" and mail.outbound_message_id is not None:
            continue  # sent through Ember: already in the timeline as that email
        if mail.touch_id is not None:
            logged.add(mail.touch_id)
        heading = "Sent from your mailbox" if mail.kind == "sent" else "Received"
        entries.append(Entry(mail.received_at, "mail", MAIL_WORDS.get(mail.kind, mail.kind.replace("_", " ")),
                             f"{heading}: {mail.subject or '(no subject)'}", quote=mail.quote, note=mail.reason))
    return entries, logged


def _timeline(session: Session, contact_id: int) -> list[Entry]:
    entries, logged = _mail_entries(session, contact_id)
    for touch in queries.touches(session, contact_id):
        outcome = touch.outcome.replace("-", " ")
        if touch.call_id:
            entries.append(Entry(touch.occurred_at, "call", touch.label or "", f"Recorded call — {outcome}",
                                 f"/calls/{touch.call_id}"))
        elif touch.touch_id not in logged:
            text = f"{touch.channel}: {outcome}" + (f" — {touch.notes}" if touch.notes else "")
            entries.append(Entry(touch.occurred_at, "touch", touch.label or "", text))
    for email in queries.emails(session, contact_id):
        entries.append(Entry(email.sent_at or email.created_at, "email", "email",
                             f"Sent: {email.subject} ({email.status})"))
    for event in queries.events(session, contact_id):
        where = f": {event.url}" if event.url else ""
        words = EVENT_WORDS.get(event.type, event.type.replace("_", " "))
        entries.append(Entry(event.occurred_at, "event", event.source, f"{words}{where}"))
    for alert in queries.alerts(session, contact_id):
        entries.append(Entry(alert.created_at, "alert", "alert" if alert.seen_at else "new alert", alert.summary))
    return sorted(entries, key=lambda e: e.at, reverse=True)


def overview(session: Session, actor: Actor, contact_id: int, *, our_company: str = "", step_days: int = 7,
             now: datetime | None = None) -> Overview:
    now = now or datetime.now(UTC)
    contact = get_contact(session, actor, contact_id)
    owner = user_by_id(session, contact.owner_id)
    account = queries.account_of(session, contact)
    where = zone(contact_repository.contact_timezone(session, contact))
    plan = cadence_repository.open_plan(session, contact.id)
    variant_id = plan.message_variant_id if plan else None
    variant = message_repository.variant_by_id(session, variant_id) if variant_id else None
    values = message_values(session, contact, owner.name if owner else actor.name)
    if owner is not None:
        values["rep_company"] = company_name(session, owner, our_company)
    steps = [(s, due_of(s.due_at, s.created_at, step_days))
             for s in step_repository.steps_of_contact(session, contact.id)]
    promised = next((s for s, _ in steps if s.status == "open" and s.quote), None)
    if promised:  # "what was meant to happen since", named from what was said on the call
        values.setdefault("next_step", agreed_step(promised.type, promised.owner_side, promised.quote or ""))
    values = {k: v for k, v in values.items() if v}
    message = readable(variant.body, values) if variant else None
    needs = [FACT_WORDS.get(n, n) for n in missing_facts(variant.body, values)] if variant else []
    deals = _deals(session, contact.id)
    warnings = queries.open_multithread_reasons(session, [d.deal.id for d in deals])
    return Overview(contact, owner, account.name if account else None, f"{now.astimezone(where):%a %H:%M}",
                    where.key, plan, message, needs, deals, warnings, steps, _timeline(session, contact.id),
                    cadence_repository.planned_meetings(session, contact.id))
