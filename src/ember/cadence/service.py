"""Planning the next touch for a contact and storing it where the Today queue finds it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ember.alerts import repository as alert_repository
from ember.cadence import repository
from ember.cadence.attempts import AttemptPhase, TouchFact, ordered
from ember.cadence.bookings import Booking, meeting_purpose, meeting_reason
from ember.cadence.facts import ContactFacts, TriggerFact
from ember.cadence.rules import MULTI_THREAD_PURPOSE, Decision, Plan, deal_in_play, decision_power_gap, plan_next
from ember.contacts import repository as contact_repository
from ember.deals.repository import deal_by_id
from ember.messages import repository as message_repository
from ember.messages.rules import VariantLibrary
from ember.models import Contact, Deal, PlannedTouch
from ember.settings.cadence import CadenceSettings
from ember.tallies.service import recounting_deals
from ember.users.repository import user_by_id
from ember.vocabulary import Channel, ContactStatus, DealSource, DealStage, MessagePhase, PreferredChannel

QUALIFYING_STAGES = frozenset({DealStage.PROSPECTING, DealStage.QUALIFICATION, DealStage.DISCOVERY})


@dataclass(frozen=True)
class Planned:
    decision: Decision
    row: PlannedTouch | None


def build_contact_facts(
    *, timezone: str, country: str | None, preferred_channel: str | None, status: str, phone: str | None,
    email: str | None, linkedin_url: str | None, deal_source: str | None, referred_by_name: str | None,
    trigger_at: datetime | None, trigger_summary: str | None, do_not_call: bool = False, do_not_email: bool = False,
) -> ContactFacts:
    """What planning needs to know about a contact, from plain column values (shared by the
    one-contact path and the bulk re-plan)."""
    return ContactFacts(
        timezone=timezone,
        country=country,
        preferred_channel=PreferredChannel(preferred_channel) if preferred_channel else None,
        status=ContactStatus(status),
        has_phone=bool(phone),
        has_email=bool(email),
        has_social=bool(linkedin_url),
        do_not_call=do_not_call,
        do_not_email=do_not_email,
        referred_by=referred_by_name if deal_source == DealSource.REFERRAL.value else None,
        last_trigger=TriggerFact(trigger_at, trigger_summary) if trigger_at and trigger_summary else None,
    )


def contact_facts(session: Session, contact: Contact, deal: Deal | None) -> ContactFacts:
    alert = alert_repository.latest_alert(session, contact.id)
    return build_contact_facts(
        timezone=contact_repository.contact_timezone(session, contact),
        country=contact_repository.contact_country(session, contact),
        preferred_channel=contact.preferred_channel, status=contact.status, phone=contact.phone,
        email=contact.email, linkedin_url=contact.linkedin_url,
        deal_source=deal.source if deal else None, referred_by_name=deal.referred_by_name if deal else None,
        trigger_at=alert.created_at if alert else None, trigger_summary=alert.summary if alert else None,
        do_not_call=contact.do_not_call, do_not_email=contact.do_not_email,
    )


def decide(history: Iterable[TouchFact], facts: ContactFacts, *, now: datetime, settings: CadenceSettings,
           received: Collection[str], library: VariantLibrary, deal_id: int | None, deal_stage: str | None,
           custom_outcomes: Mapping[str, bool] | None, presorted: bool = False) -> Decision:
    """The one re-planning decision. A logged touch, a settings change on the desk and ``ember replan``
    all come here, the bulk path with facts it read in bulk, so one contact is planned alike whoever asks."""
    return plan_next(history, facts, now, settings, received, library, deal_id=deal_id,
                     qualifying=deal_stage is None or deal_stage in QUALIFYING_STAGES,
                     custom_outcomes=custom_outcomes, presorted=presorted)


def replan(session: Session, contact: Contact, deal: Deal | None, *, now: datetime, settings: CadenceSettings,
           library: VariantLibrary, caused_by: int | None = None) -> Planned:
    """Replace the contact's open plan with a fresh one computed from the whole history."""
    owner = user_by_id(session, contact.owner_id)
    team_id = owner.team_id if owner else None
    decision = decide(
        repository.touch_facts(session, contact.id), contact_facts(session, contact, deal), now=now,
        settings=settings, received=message_repository.received_keys(session, contact.id), library=library,
        deal_id=deal.id if deal else None, deal_stage=deal.stage if deal else None,
        custom_outcomes=repository.custom_outcomes(session, team_id),
    )
    repository.cancel_planned(session, contact.id, kinds=repository.REPLANNED_KINDS)
    contact.status = decision.contact_status.value
    if deal is not None and decision.deal_stalled and deal.stalled_at is None:
        with recounting_deals(session, [deal.id]):
            deal.stalled_at = now
    row = _store(session, contact, team_id, decision.plan, caused_by) if decision.plan else None
    if deal is not None:
        flag_decision_power(session, deal, now=now)
    session.flush()
    return Planned(decision, row)


def replan_contact(session: Session, contact: Contact, *, now: datetime, settings: CadenceSettings,
                   library: VariantLibrary) -> Planned:
    """Re-plan a contact with no new touch to go by (a stale plan, a settings change): it follows the
    deal of its latest touch that is still open, as the bulk re-plan (``ember replan``) does."""
    history = ordered(repository.touch_facts(session, contact.id))
    deal_id = deal_in_play(history, repository.open_deal_ids(session, {t.deal_id for t in history if t.deal_id}))
    deal = deal_by_id(session, deal_id) if deal_id is not None else None
    return replan(session, contact, deal, now=now, settings=settings, library=library)


def plan_kind(plan: Plan) -> str:
    if plan.message_phase is MessagePhase.TRIGGER:
        return "trigger"
    return "ftc" if plan.label.phase is AttemptPhase.FTC else "follow_up"


def _store(session: Session, contact: Contact, team_id: int | None, plan: Plan, caused_by: int | None) -> PlannedTouch:
    # The owner's team's copy of the message where it keeps one: what the rep will see and send.
    variant_ids = message_repository.ids_by_key(session, [plan.variant_key] if plan.variant_key else [], team_id)
    reason = plan.reason
    if plan.variant.exhausted:
        reason = f"{reason} {plan.variant.message}".strip()  # type: ignore[union-attr]
    row = PlannedTouch(
        contact_id=contact.id, deal_id=plan.deal_id, rep_id=contact.owner_id, kind=plan_kind(plan),
        channel=plan.channel.value, due_at=plan.at, label=plan.label.text, purpose=plan.purpose,
        message_variant_id=variant_ids.get(plan.variant_key or ""), reason=reason, caused_by_touch_id=caused_by,
    )
    session.add(row)
    return row


def flag_decision_power(session: Session, deal: Deal, *, now: datetime) -> None:
    """Chasing someone with no power: if only non-deciders were reached, ask to multi-thread."""
    reached = repository.reached_roles(session, deal.id)
    if not decision_power_gap(person.role for person in reached):
        repository.close_multithread(session, deal.id)
        return
    if repository.has_open_multithread(session, deal.id):
        return
    names = ", ".join(f"{person.name} ({person.role.replace('_', ' ')})" for person in reached)
    session.add(PlannedTouch(
        contact_id=reached[0].contact_id, deal_id=deal.id, rep_id=deal.owner_id,
        kind="multithread", channel="call", due_at=now, label=None, purpose=MULTI_THREAD_PURPOSE,
        reason=f"Everyone reached on {deal.name} so far has no final say: {names}. "
               "Ask them to introduce you to the person who signs.",
    ))



def book_meeting(session: Session, contact: Contact, booking: Booking, *, source: str,
                 deal_id: int | None) -> PlannedTouch | None:
    """The meeting a contact booked, planned for the rep at the booked time (moved if the tool
    reports the same booking again with another time); None when the booking has no time."""
    if booking.start is None:
        return None
    row = repository.planned_booking(session, booking.key)
    if row is None:
        row = PlannedTouch(contact_id=contact.id, deal_id=deal_id, rep_id=contact.owner_id, kind="meeting",
                           channel=Channel.MEETING.value, label=None, booking_key=booking.key)
        session.add(row)
    row.due_at = booking.start
    row.purpose = meeting_purpose(booking)
    row.reason = meeting_reason(booking, source)
    session.flush()
    return row


def cancel_meeting(session: Session, booking: Booking) -> int:
    """The tool says the booking is off: its planned meeting goes too."""
    return repository.cancel_booking(session, booking.key)
