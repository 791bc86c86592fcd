"""Logging touches: label them, apply what the outcome means, plan the next one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ember.cadence import repository as cadence_repository
from ember.cadence.attempts import AttemptLabel, AttemptPhase, TouchFact, label_touches
from ember.cadence.service import Planned, replan
from ember.contacts.service import contact_behind, get_contact
from ember.deals.repository import deal_by_id, stakeholder
from ember.deals.service import get_deal
from ember.errors import InvalidInput, NotFound, Problem, ProblemList
from ember.messages import repository as message_repository
from ember.messages.rules import MessageVariant as VariantRule
from ember.messages.rules import VariantLibrary, propose_variant
from ember.messages.service import library_for
from ember.models import Contact, Deal, DealStakeholder, NurtureMembership, PlannedTouch, Touch
from ember.settings.cadence import CadenceSettings
from ember.tallies.service import recounting, relabelling
from ember.touches import repository
from ember.touches.repository import touch_by_id
from ember.touches.rules import NOTES_MAX, date_problem, impossible_pair, possible_outcomes
from ember.users.access import Actor
from ember.users.repository import user_by_id
from ember.validation import parse_enum
from ember.vocabulary import Channel, ContactStatus, MessagePhase, MessageSituation, Outcome, PlannedTouchStatus

# Which kind of message a touch outcome means the rep actually delivered.
DELIVERED = {
    Outcome.GATEKEEPER.value: MessageSituation.GATEKEEPER,
    Outcome.VOICEMAIL.value: MessageSituation.VOICEMAIL,
    Outcome.EMAIL_SENT.value: MessageSituation.EMAIL,
}


@dataclass(frozen=True)
class LoggedTouch:
    touch: Touch
    variant_key: str | None
    contact: Contact
    planned: Planned


def _check_outcome(outcome: str, custom_outcomes: Mapping[str, bool]) -> str:
    known = {o.value for o in Outcome} | set(custom_outcomes)
    if outcome not in known:
        raise InvalidInput(f"unknown outcome {outcome!r}", [Problem(
            "outcome", f"{outcome!r} is not an outcome", f"use one of: {', '.join(sorted(known))}")])
    return outcome


def _channel(value: str) -> str:
    try:
        return parse_enum(Channel, value).value
    except ValueError as exc:
        raise InvalidInput(f"unknown channel {value!r}", [Problem("channel", *str(exc).split("; ", 1))]) from exc


def _situation(channel: str, outcome: str) -> MessageSituation | None:
    if channel == Channel.SOCIAL.value and outcome not in (Outcome.CONVERSATION.value,):
        return MessageSituation.SOCIAL
    return DELIVERED.get(outcome)


def _variant_used(session: Session, contact: Contact, plan: PlannedTouch | None, situation: MessageSituation | None,
                  label: AttemptLabel, library: VariantLibrary, explicit: str | None) -> str | None:
    """The message the rep delivered: the one named, else the one Ember proposed for this situation
    (the one ``plan``, the contact's open plan, chose when it fits)."""
    if explicit:
        if library.get(explicit) is None:
            raise InvalidInput(f"unknown message variant {explicit!r}",
                               [Problem("variant", f"{explicit!r} is not in the library", "see `ember messages list`")])
        return explicit
    if situation is None:
        return None
    if plan is not None and plan.message_variant_id is not None:
        planned_key = message_repository.key_of(session, plan.message_variant_id)
        planned: VariantRule | None = library.get(planned_key) if planned_key else None
        if planned is not None and planned.situation is situation:
            return planned.key
    phase = MessagePhase.FTC if label.phase is AttemptPhase.FTC else MessagePhase.FOLLOW_UP
    received = message_repository.received_keys(session, contact.id)
    return propose_variant(situation, phase, label.number, received, library).key


def relabel(session: Session, contact: Contact) -> dict[int, AttemptLabel]:
    """Labels are a function of the whole history: recompute and store what changed."""
    owner = user_by_id(session, contact.owner_id)
    custom = cadence_repository.custom_outcomes(session, owner.team_id if owner else None)
    history = repository.labelled_history(session, contact.id)
    labels = label_touches(history.facts, custom)
    _store_changed(session, labels, history.labels)
    return labels


def _store_changed(session: Session, labels: Mapping[int, AttemptLabel], current: Mapping[int, str | None]) -> None:
    changed = {i: label.text for i, label in labels.items() if current.get(i) != label.text}
    if not changed:  # the usual case when a touch is logged: nothing to write, nothing to recount
        return
    with relabelling(session, changed):  # first-call attempts and follow-ups are counted by label
        repository.set_labels(session, changed)


def _apply_outcome(session: Session, contact: Contact, outcome: str, now: datetime) -> None:
    if outcome == Outcome.SAID_NO.value and contact.status == ContactStatus.ACTIVE.value:
        contact.status = ContactStatus.NURTURE.value
        session.add(NurtureMembership(contact_id=contact.id, reason="said-no", started_at=now))
        cadence_repository.cancel_planned(session, contact.id)


def _ensure_stakeholder(session: Session, deal: Deal, contact: Contact) -> None:
    if stakeholder(session, deal.id, contact.id) is None:
        session.add(DealStakeholder(deal_id=deal.id, contact_id=contact.id, role=contact.decision_role))


def _resolve_deal(session: Session, actor: Actor, contact: Contact, deal_id: int | None) -> Deal | None:
    if deal_id is not None:
        return get_deal(session, actor, deal_id)
    found = repository.default_deal_id(session, contact.id)
    return deal_by_id(session, found) if found else None


def check_touch(contact: Contact, *, channel: str, outcome: str, occurred_at: datetime, now: datetime,
                notes: str | None, callback_at: datetime | None, confirm_date: bool) -> None:
    """Refuse what cannot have happened, every problem at once, before anything is stored."""
    problems = ProblemList()
    if impossible_pair(channel, outcome):
        problems.add("outcome", f"{outcome!r} cannot happen on the {channel} channel",
                     f"for {channel} use one of: {', '.join(possible_outcomes(channel))}")
    dated = date_problem(occurred_at, now=now, contact_since=contact.created_at, confirmed=confirm_date)
    if dated:
        problems.add("occurred_at", f"{occurred_at:%Y-%m-%d %H:%M} {dated[0]}", dated[1])
    if outcome == Outcome.NOT_NOW.value and callback_at is None:
        problems.add("callback_at", '"not now" needs the date they asked to be called back',
                     "give the call-back date they named (or your best guess)")
    if callback_at is not None and callback_at <= occurred_at:
        problems.add("callback_at", f"{callback_at:%Y-%m-%d %H:%M} is not after the touch",
                     "give a call-back date after the touch")
    if notes is not None and len(notes) > NOTES_MAX:
        problems.add("notes", f"has {len(notes)} characters, more than {NOTES_MAX}",
                     "shorten the notes; put long texts in a call transcript")
    problems.raise_if_any("this touch cannot be logged as given")


@dataclass(frozen=True)
class RecordedTouch:
    """A touch stored and labelled, its contact's plan not yet made again (see :func:`record_touch`)."""

    touch: Touch
    variant_key: str | None
    contact: Contact
    deal: Deal | None


def log_touch(
    session: Session, actor: Actor, *, contact_id: int, channel: str, outcome: str, settings: CadenceSettings,
    occurred_at: datetime | None = None, deal_id: int | None = None, notes: str | None = None,
    variant_key: str | None = None, callback_at: datetime | None = None, now: datetime | None = None,
    confirm_date: bool = False,
) -> LoggedTouch:
    now = now or datetime.now(UTC)
    library = library_for(session, get_contact(session, actor, contact_id))  # the owning team's library
    recorded = record_touch(session, actor, contact_id=contact_id, channel=channel, outcome=outcome,
                            occurred_at=occurred_at, deal_id=deal_id, notes=notes, variant_key=variant_key,
                            callback_at=callback_at, now=now, confirm_date=confirm_date, library=library)
    planned = replan(session, recorded.contact, recorded.deal, now=now, settings=settings, library=library,
                     caused_by=recorded.touch.id)
    return LoggedTouch(recorded.touch, recorded.variant_key, recorded.contact, planned)


def record_touch(
    session: Session, actor: Actor, *, contact_id: int, channel: str, outcome: str, library: VariantLibrary,
    occurred_at: datetime | None = None, deal_id: int | None = None, notes: str | None = None,
    variant_key: str | None = None, callback_at: datetime | None = None, now: datetime | None = None,
    confirm_date: bool = False, contact: Contact | None = None, custom_outcomes: Mapping[str, bool] | None = None,
) -> RecordedTouch:
    """Check, store and label a touch, without planning the contact's next one: for callers that log
    many touches at once (a mailbox sync) and then re-plan each contact once, with :func:`replan`.
    Such a caller may hand over what it has read already: ``contact`` (one the actor may see) and
    its team's ``custom_outcomes``."""
    now = now or datetime.now(UTC)
    if contact is None or contact.id != contact_id:
        contact = get_contact(session, actor, contact_id)
    if contact.status == ContactStatus.DO_NOT_CONTACT.value:
        raise InvalidInput(f"{contact.full_name} is marked do-not-contact", [Problem(
            "contact", "is do-not-contact", "change the contact's status first if this is wrong")])
    channel = _channel(channel)
    owner = user_by_id(session, contact.owner_id)
    team_id = owner.team_id if owner else None
    if custom_outcomes is None:
        custom_outcomes = cadence_repository.custom_outcomes(session, team_id)
    _check_outcome(outcome, custom_outcomes)
    occurred_at = occurred_at or now
    check_touch(contact, channel=channel, outcome=outcome, occurred_at=occurred_at, now=now, notes=notes,
                callback_at=callback_at, confirm_date=confirm_date)
    deal = _resolve_deal(session, actor, contact, deal_id)
    # The new touch is labelled with the history before it is stored, so that it is written once,
    # label included. It is given the id after every one of the contact's: the order its real id
    # will have among them.
    history = repository.labelled_history(session, contact.id)
    new = TouchFact(max(history.labels, default=0) + 1, occurred_at, outcome, channel, deal.id if deal else None,
                    None, callback_at)
    labels = label_touches([*history.facts, new], custom_outcomes)
    label = labels.pop(new.id)
    # The open plan is read once, before the touch is added: it names the message the rep was to
    # deliver, the touch closes it, and the touch and its new status then go out in one flush.
    plan = cadence_repository.open_plan(session, contact.id)
    used = _variant_used(session, contact, plan, _situation(channel, outcome), label, library, variant_key)
    touch = Touch(contact_id=contact.id, deal_id=deal.id if deal else None, rep_id=actor.id, channel=channel,
                  outcome=outcome, occurred_at=occurred_at, notes=notes, callback_at=callback_at, label=label.text,
                  message_variant_id=message_repository.ids_by_key(session, [used], team_id).get(used) if used
                  else None)
    session.add(touch)
    _store_changed(session, labels, history.labels)
    if plan is not None:
        plan.status = PlannedTouchStatus.DONE.value
    if deal is not None:
        _ensure_stakeholder(session, deal, contact)
    _apply_outcome(session, contact, outcome, now)
    session.flush()
    return RecordedTouch(touch, used, contact, deal)


def delete_touch(session: Session, actor: Actor, touch_id: int, *, settings: CadenceSettings,
                 now: datetime | None = None) -> Planned:
    touch = touch_by_id(session, touch_id)
    if touch is None:
        raise NotFound(f"touch {touch_id} not found")
    contact = contact_behind(session, actor, touch.contact_id, missing=f"touch {touch_id} not found")
    deal = deal_by_id(session, touch.deal_id) if touch.deal_id else None
    with recounting(session, touch_ids=[touch.id]):
        session.delete(touch)  # plans it caused keep existing (the foreign key is set to NULL)
    relabel(session, contact)
    return replan(session, contact, deal, now=now or datetime.now(UTC), settings=settings,
                  library=library_for(session, contact))
