"""Dialer events in: stored once per provider call id, matched by phone (E.164), logged as a touch.

A retry of the same event finds its row and changes nothing. A number that
matches no contact is kept as an unmatched call the rep can attach later.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ember.cadence.service import Planned, replan
from ember.contacts.service import contact_behind, get_contact
from ember.deals.repository import deal_by_id
from ember.dialer import repository
from ember.dialer.rules import CallEvent
from ember.errors import InvalidInput, NotFound, Problem
from ember.messages.service import library_for
from ember.models import Contact, InboundEvent, Touch
from ember.phones import phone_key
from ember.settings import Settings
from ember.settings.cadence import CadenceSettings
from ember.tallies.service import recounting
from ember.team_settings.effective import settings_for
from ember.touches.repository import touch_by_id
from ember.touches.service import log_touch, relabel
from ember.users.access import Actor, can_see_owner
from ember.users.repository import user_by_email, user_by_id
from ember.vocabulary import Channel, ContactStatus, Outcome

SOURCE_PREFIX = "dialer:"


def now() -> datetime:
    return datetime.now(UTC)


UNMATCHED = "unmatched"


@dataclass(frozen=True)
class Received:
    event_id: int | None  # None: a retry of an event already stored
    status: str  # logged | unmatched | duplicate | skipped
    touch_id: int | None = None
    contact_id: int | None = None
    outcome: str | None = None
    label: str | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def receive(session: Session, event: CallEvent, *, region: str | None, settings: Settings,
            now: datetime | None = None) -> Received:
    now = now or datetime.now(UTC)
    payload = {**asdict(event), "started_at": event.started_at.isoformat()}
    inserted = repository.insert_event(session, {
        "source": SOURCE_PREFIX + event.provider, "external_id": event.external_id, "type": "call",
        "payload": payload, "occurred_at": event.started_at, "received_at": now, "status": "pending"})
    if inserted is None:
        return Received(None, "duplicate", reason="this call was received before; nothing changed")
    row = repository.event_by_id(session, inserted)
    assert row is not None
    key = phone_key(event.number, region)
    contact = _contact_by_phone(session, key, event.rep_email)
    if contact is None:
        row.status = UNMATCHED
        return Received(row.id, UNMATCHED, outcome=event.outcome,
                        reason=f"no contact has the number {key or event.number}: attach it to one")
    return _log(session, row, contact, event, settings, now)


def _contact_by_phone(session: Session, key: str | None, rep_email: str | None) -> Contact | None:
    if not key:
        return None
    found = repository.contacts_with_phone(session, key)
    if rep_email and len(found) > 1:  # two contacts share a switchboard: the rep's own comes first
        owner = repository.user_id_with_email(session, rep_email)
        found.sort(key=lambda c: c.owner_id != owner)
    return found[0] if found else None


def _log(session: Session, row: InboundEvent, contact: Contact, event: CallEvent, settings: Settings,
         now: datetime) -> Received:
    row.contact_id = contact.id
    if contact.status == ContactStatus.DO_NOT_CONTACT.value:
        row.status, row.handled_at = "skipped", now
        return Received(row.id, "skipped", contact_id=contact.id, outcome=event.outcome,
                        reason=f"{contact.full_name} is do-not-contact: the call is kept, no touch logged")
    owner = user_by_id(session, contact.owner_id)
    assert owner is not None
    cadence = settings_for(session, settings, owner.team_id).cadence.planning()  # the owner's team plans its own way
    notes = f"{event.provider} call ({event.direction}, {event.duration_s} s): {event.reason}"
    if event.recording_url:
        notes += f"\nrecording: {event.recording_url}"
    logged = log_touch(session, Actor.of(owner), contact_id=contact.id, channel=Channel.CALL.value,
                       outcome=event.outcome, settings=cadence, occurred_at=min(event.started_at, now), notes=notes,
                       now=now, confirm_date=True)  # the phone system's time is a fact
    row.status, row.handled_at = "handled", now
    row.payload = {**row.payload, "touch_id": logged.touch.id}
    return Received(row.id, "logged", logged.touch.id, contact.id, event.outcome, logged.touch.label, event.reason)


ANSWERED_SOURCE = SOURCE_PREFIX + "ringcentral-answered"


def remember_answered(session: Session, session_id: str, at: datetime, now: datetime) -> None:
    """When a telephony session's rep party was answered: the talk time runs from here to the end.
    Kept in the database, so a restart between the two notifications loses nothing."""
    repository.remember_event(session, {
        "source": ANSWERED_SOURCE, "external_id": session_id[:200], "type": "call_answered", "payload": {},
        "occurred_at": at, "received_at": now, "status": "handled", "handled_at": now})


def answered_at(session: Session, session_id: str) -> datetime | None:
    found = repository.event_time(session, ANSWERED_SOURCE, session_id[:200])
    return found.replace(tzinfo=UTC) if found is not None and found.tzinfo is None else found


def _sees_call(session: Session, actor: Actor, rep_email: str | None, seen: dict[str, bool]) -> bool:
    """A call no rep was named on is anyone's to take; a named rep's call is seen by whoever sees that
    rep's records (the rep, their manager, an admin). ``seen`` remembers the answer per address."""
    if not rep_email or actor.is_admin or rep_email == actor.email:
        return True
    if rep_email not in seen:
        rep = user_by_email(session, rep_email)
        seen[rep_email] = rep is not None and can_see_owner(actor, rep)
    return seen[rep_email]


def unmatched(session: Session, actor: Actor, limit: int = 100) -> list[dict[str, Any]]:
    """Calls whose number matched no contact, newest first, that the actor may attach to a contact."""
    rows = repository.events_with_status(session, SOURCE_PREFIX, UNMATCHED, limit)
    seen: dict[str, bool] = {}
    return [{"id": r.id, "provider": r.source.removeprefix(SOURCE_PREFIX), "number": r.payload.get("number"),
             "at": r.occurred_at.isoformat(), "outcome": r.payload.get("outcome"), "reason": r.payload.get("reason"),
             "rep_email": r.payload.get("rep_email")} for r in rows
            if _sees_call(session, actor, r.payload.get("rep_email"), seen)]


def attach(session: Session, actor: Actor, event_id: int, contact_id: int, *, settings: Settings,
           now: datetime | None = None) -> Received:
    """Log an unmatched call on the contact the rep names."""
    row = repository.event_by_id(session, event_id)
    # Another rep's call is answered as a missing one, before its status could tell it exists.
    if row is None or not row.source.startswith(SOURCE_PREFIX) or \
            not _sees_call(session, actor, row.payload.get("rep_email"), {}):
        raise NotFound(f"no call event {event_id}")
    if row.status != UNMATCHED:
        raise InvalidInput(f"call event {event_id} is already {row.status}", [Problem(
            "event", f"status {row.status}", "list the calls left to attach with `ember dialer unmatched`")])
    contact = get_contact(session, actor, contact_id)
    if not repository.is_visible_contact(session, actor, contact.id):
        raise NotFound(f"contact {contact_id} not found")
    data = dict(row.payload)
    event = CallEvent(data["provider"], data["external_id"], data["number"], data["direction"],
                      datetime.fromisoformat(data["started_at"]), int(data["duration_s"]), data["outcome"],
                      data["reason"], data.get("rep_email"), data.get("recording_url"))
    return _log(session, row, contact, event, settings, now or datetime.now(UTC))


def mark_gatekeeper(session: Session, actor: Actor, touch_id: int, *, cadence: CadenceSettings,
                    now: datetime | None = None) -> tuple[Touch, Planned]:
    """The rep's one-click correction of a call a phone system logged: the person who answered was
    a gatekeeper, not the contact. Labels and the next plan follow from the corrected history."""
    touch = touch_by_id(session, touch_id)
    if touch is None:
        raise NotFound(f"touch {touch_id} not found")
    # Another rep's touch answers exactly as a touch that does not exist (not by naming its contact).
    contact = contact_behind(session, actor, touch.contact_id, missing=f"touch {touch_id} not found")
    if touch.channel != Channel.CALL.value:
        raise InvalidInput(f"touch {touch_id} is not a call", [Problem(
            "touch", f"channel {touch.channel}", "only a call can have reached a gatekeeper")])
    with recounting(session, touch_ids=[touch.id]):
        touch.outcome = Outcome.GATEKEEPER.value
    touch.notes = f"{touch.notes or ''}\ncorrected by the rep: a gatekeeper answered".strip()
    session.flush()
    relabel(session, contact)
    deal = deal_by_id(session, touch.deal_id) if touch.deal_id else None
    planned = replan(session, contact, deal, now=now or datetime.now(UTC), settings=cadence,
                     library=library_for(session, contact), caused_by=touch.id)
    session.refresh(touch)  # the labels were rewritten in bulk
    return touch, planned
