"""The nurture list: who is on it, export for a newsletter tool, adding and removing by hand.

A contact is on the list while its status is "nurture"; each stretch on the
list is a membership row saying why it started and why it ended. Planning
stops for them (the cadence rules read the status); a trigger event ends the
membership and re-opens the contact.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ember.cadence import repository as cadence_repository
from ember.cadence.service import replan
from ember.contacts.service import get_contact
from ember.csvcells import SafeWriter
from ember.deals.repository import deal_by_id
from ember.errors import Conflict, InvalidInput, Problem
from ember.messages.service import library_for
from ember.models import Contact, NurtureMembership
from ember.nurture import repository
from ember.settings.cadence import CadenceSettings
from ember.touches import repository as touch_repository
from ember.users.access import Actor
from ember.vocabulary import ContactStatus

EXPORT_HEADER = ("email", "first_name", "last_name", "company", "title", "owner", "reason", "since")


@dataclass(frozen=True)
class NurtureEntry:
    contact_id: int
    name: str
    email: str | None
    company: str | None
    title: str | None
    owner: str
    reason: str | None
    note: str | None
    since: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_nurture(session: Session, actor: Actor, *, limit: int | None = None, offset: int = 0) -> list[NurtureEntry]:
    entries = []
    for row in repository.nurture_rows(session, actor, limit=limit, offset=offset):
        name = f"{row.first_name} {row.last_name}".strip() or (row.email or f"contact {row.contact_id}")
        since = row.started_at
        entries.append(NurtureEntry(row.contact_id, name, row.email, row.company, row.title, row.owner_email,
                                    row.reason, row.note, since.isoformat() if since else None))
    return entries


def export_lines(session: Session, actor: Actor) -> Iterator[str]:
    """CSV for a newsletter tool: one row per contact on the list that has an email address."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)  # names like =HYPERLINK(...) must not run in a spreadsheet
    writer.writerow(EXPORT_HEADER)
    for row in repository.nurture_rows(session, actor, with_email_only=True):
        since = row.started_at
        writer.writerow((row.email, row.first_name, row.last_name, row.company or "", row.title or "",
                         row.owner_email, row.reason or "", since.date().isoformat() if since else ""))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def add_to_nurture(session: Session, actor: Actor, contact_id: int, *, note: str | None = None,
                   reason: str = "manual", now: datetime | None = None) -> Contact:
    contact = get_contact(session, actor, contact_id)
    if contact.status == ContactStatus.NURTURE.value:
        raise Conflict(f"{contact.full_name} is on the nurture list already")
    if contact.status == ContactStatus.DO_NOT_CONTACT.value:
        raise InvalidInput(f"{contact.full_name} is marked do-not-contact", [Problem(
            "contact", "must not get the newsletter either", "change the contact's status first if this is wrong")])
    contact.status = ContactStatus.NURTURE.value
    session.add(NurtureMembership(contact_id=contact.id, reason=reason, note=note,
                                  started_at=now or datetime.now(UTC)))
    cadence_repository.cancel_planned(session, contact.id)  # no more calls or sequence emails
    session.flush()
    return contact


def reopen(session: Session, contact: Contact, *, reason: str, now: datetime, note: str | None = None) -> bool:
    """End the contact's time on the list (a trigger event, or by hand); true if it was on it."""
    ended = repository.end_open(session, contact.id, reason=reason, now=now, note=note)
    was_on = contact.status == ContactStatus.NURTURE.value
    if was_on:
        contact.status = ContactStatus.ACTIVE.value
    session.flush()
    return was_on or ended > 0


def remove_from_nurture(session: Session, actor: Actor, contact_id: int, *, settings: CadenceSettings,
                        now: datetime | None = None, note: str | None = None) -> Contact:
    """Take a contact off the list by hand and plan its next touch again."""
    now = now or datetime.now(UTC)
    contact = get_contact(session, actor, contact_id)
    if contact.status != ContactStatus.NURTURE.value:
        raise Conflict(f"{contact.full_name} is not on the nurture list")
    reopen(session, contact, reason="manual", now=now, note=note)
    deal_id = touch_repository.default_deal_id(session, contact.id)
    replan(session, contact, deal_by_id(session, deal_id) if deal_id else None, now=now, settings=settings,
           library=library_for(session, contact))
    # Planning still sees the old "no"; a manual removal means the rep wants to try again.
    contact.status = ContactStatus.ACTIVE.value
    session.flush()
    return contact


REOPEN_NOTE_MAX = 500


def reopen_with_reason(session: Session, actor: Actor, contact_id: int, *, why: str, settings: CadenceSettings,
                       now: datetime | None = None) -> Contact:
    """A rep takes someone off the list and says why; the reason stays in the contact's nurture history."""
    why = why.strip()
    if not why:
        raise InvalidInput("say why you re-open this contact", [Problem(
            "reason", "is empty", "a few words, e.g. \"new budget after their reorganisation\"")])
    if len(why) > REOPEN_NOTE_MAX:
        raise InvalidInput("the reason is too long", [Problem(
            "reason", f"has {len(why)} characters", f"keep it under {REOPEN_NOTE_MAX}")])
    return remove_from_nurture(session, actor, contact_id, settings=settings, now=now, note=why)


@dataclass(frozen=True)
class NurtureHistory:
    """What happened to one contact on and around the list: stretches, signals, alerts."""

    stretches: list[NurtureMembership]
    events: list[tuple[str, str | None, datetime]]  # (type, url, when)
    alerts: list[tuple[str, datetime, str | None]]  # (what happened, when, rule)


def histories(session: Session, contact_ids: list[int]) -> dict[int, NurtureHistory]:
    """The history of each of these contacts, in three queries whatever their number."""
    found = {cid: NurtureHistory([], [], []) for cid in contact_ids}
    for stretch in repository.memberships_of(session, contact_ids):
        found[stretch.contact_id].stretches.append(stretch)
    for event in repository.recent_events(session, contact_ids):
        found[event.contact_id].events.append((event.type, event.url, event.occurred_at))
    for alert in repository.alerts_of(session, contact_ids):
        found[alert.contact_id].alerts.append((alert.summary, alert.created_at, alert.rule))
    return found


def count_on_list(session: Session, actor: Actor) -> int:
    return repository.count_on_list(session, actor)
