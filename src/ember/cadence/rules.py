"""Cadence planning: after every touch, what the next one is, and why.

Pure: the result depends only on the arguments (no clock, no database), so a
settings change can re-plan every contact by calling ``plan_next`` again.

The balance the follow-up research asks for: persist (about five follow-ups before a deal
is called stalled, spaced out, in the prospect's preferred channel), but stop
at once on an explicit "no" (the contact goes to the nurture list) until a
trigger event shows interest again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ember.cadence.attempts import AttemptLabel, AttemptPhase, TouchFact, ordered
from ember.cadence.facts import ContactFacts, HistoryFacts, TriggerFact, read_history
from ember.cadence.timing import (
    CallPhase,
    Slot,
    days_later,
    find_call_slot,
    next_email_slot,
    next_working_moment,
    place_name,
    zone,
)
from ember.messages.rules import Exhausted, Proposal, VariantLibrary, propose_variant
from ember.settings.cadence import CadenceSettings, CallWindow
from ember.vocabulary import (
    Channel,
    ContactStatus,
    DecisionRole,
    MessagePhase,
    MessageSituation,
    Outcome,
    PreferredChannel,
)

__all__ = [
    "CadenceSettings",
    "CallWindow",
    "ContactFacts",
    "Decision",
    "HistoryFacts",
    "Plan",
    "StopReason",
    "TriggerFact",
    "decision_power_gap",
    "plan_next",
]

_PREFERRED: Mapping[PreferredChannel, Channel] = {
    PreferredChannel.CALL: Channel.CALL,
    PreferredChannel.EMAIL: Channel.EMAIL,
    PreferredChannel.VIDEO_DEMO: Channel.MEETING,  # a video call to walk through a demo
    PreferredChannel.SELF_SERVE_DEMO: Channel.EMAIL,  # send the demo to try on their own
    PreferredChannel.SOCIAL: Channel.SOCIAL,
    PreferredChannel.SMS: Channel.SMS,
}
_SITUATION_OF: Mapping[Channel, MessageSituation] = {
    Channel.EMAIL: MessageSituation.EMAIL,
    Channel.MEETING: MessageSituation.EMAIL,  # the invitation is an email
    Channel.SOCIAL: MessageSituation.SOCIAL,
    Channel.SMS: MessageSituation.SOCIAL,  # short text, same register
}
_FALLBACK_PHASES: Mapping[MessagePhase, tuple[MessagePhase, ...]] = {
    MessagePhase.REFERRAL: (MessagePhase.FTC,),
    MessagePhase.NUDGE: (MessagePhase.FOLLOW_UP,),
}


class StopReason(StrEnum):
    NURTURE = "nurture"  # said no: newsletter, no calls
    DO_NOT_CONTACT = "do-not-contact"
    STALLED = "stalled"  # the deal: too many follow-ups without a reply
    PAUSED = "paused"  # too many first-time attempts without a conversation
    NO_CHANNEL = "no-channel"  # no working phone, email or social profile


@dataclass(frozen=True, slots=True)
class Plan:
    channel: Channel
    at: datetime  # aware, in the contact's time zone
    label: AttemptLabel
    purpose: str
    situation: MessageSituation
    message_phase: MessagePhase
    variant: Proposal | Exhausted
    reason: str
    deal_id: int | None = None

    @property
    def variant_key(self) -> str | None:
        return self.variant.key


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do next: a plan, or why nothing is planned (``stop``).

    ``contact_status`` is the status the contact should have now (NURTURE
    right after a "no"; ACTIVE again after a trigger event).
    """

    plan: Plan | None
    contact_status: ContactStatus
    stop: StopReason | None
    reason: str

    @property
    def deal_stalled(self) -> bool:
        return self.stop is StopReason.STALLED


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_OUTCOME_WORDS: Mapping[str, str] = {
    Outcome.VOICEMAIL: "voicemail left",
    Outcome.NO_ANSWER: "no answer",
    Outcome.WRONG_NUMBER: "wrong number",
    Outcome.EMAIL_SENT: "email sent",
    Outcome.EMAIL_REPLIED: "email reply",
    Outcome.EMAIL_BOUNCED: "email bounced",
    Outcome.MEETING_HELD: "meeting held",
    Outcome.NO_SHOW: "no-show",
}


def _day(moment: datetime, tz: str) -> str:
    # Built by hand: strftime is locale-dependent and slow on the hot path.
    local = moment.astimezone(zone(tz))
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"


def _outcome(outcome: str) -> str:
    return _OUTCOME_WORDS.get(outcome, outcome.replace("-", " "))


def _stop(stop: StopReason, status: ContactStatus, reason: str) -> Decision:
    return Decision(plan=None, contact_status=status, stop=stop, reason=reason)


def _fresh_trigger(contact: ContactFacts, last: TouchFact | None) -> TriggerFact | None:
    trigger = contact.last_trigger
    if trigger is not None and trigger.occurred_at.tzinfo is None:
        raise ValueError("last_trigger.occurred_at must be an aware datetime (with a time zone)")
    if trigger is None or (last is not None and last.occurred_at >= trigger.occurred_at):
        return None
    return trigger


def _contact_stop(
    last: TouchFact | None, contact: ContactFacts, trigger: TriggerFact | None
) -> Decision | None:
    if contact.status is ContactStatus.DO_NOT_CONTACT:
        return _stop(StopReason.DO_NOT_CONTACT, contact.status,
                     "Marked do-not-contact: nothing is planned.")
    if trigger is not None:
        return None  # interest shown again: a "no" or the nurture list no longer holds
    tz = contact.timezone
    if last is not None and last.outcome == Outcome.SAID_NO:
        return _stop(StopReason.NURTURE, ContactStatus.NURTURE,
                     f"Said no on {_day(last.occurred_at, tz)}: moved to the nurture list "
                     "(newsletter, no calls). A trigger event re-opens the contact.")
    if contact.status is ContactStatus.NURTURE:
        return _stop(StopReason.NURTURE, ContactStatus.NURTURE,
                     "On the nurture list: no calls until a trigger event re-opens the contact.")
    return None


def _usable(channel: Channel, facts: HistoryFacts) -> bool:
    if channel in (Channel.CALL, Channel.SMS, Channel.VOICEMAIL):
        return facts.phone_ok
    if channel is Channel.EMAIL:
        return facts.email_ok
    if channel is Channel.MEETING:
        return facts.email_ok or facts.phone_ok
    return facts.social_ok


def _blocked_note(channel: Channel, facts: HistoryFacts, contact: ContactFacts) -> str:
    if channel in (Channel.CALL, Channel.SMS) and contact.do_not_call:
        return "the contact asked not to be called"
    if channel is Channel.EMAIL and contact.do_not_email:
        return "the contact opted out of email"
    if channel in (Channel.CALL, Channel.SMS) and not facts.phone_ok:
        wrong = any(t.outcome == Outcome.WRONG_NUMBER for t in facts.touches)
        return ("the number on file was wrong: find the right one"
                if wrong else "there is no phone number on file")
    if channel is Channel.EMAIL and not facts.email_ok:
        bounced = any(t.outcome == Outcome.EMAIL_BOUNCED for t in facts.touches)
        return ("the last email bounced: check the address"
                if bounced else "there is no email address on file")
    return f"{channel.value} is not available for this contact"


def _choose_channel(
    wanted: Channel, facts: HistoryFacts, contact: ContactFacts
) -> tuple[Channel, str | None] | None:
    if _usable(wanted, facts):
        return wanted, None
    note = _blocked_note(wanted, facts, contact)
    for channel in (Channel.CALL, Channel.EMAIL, Channel.SOCIAL):
        if channel is not wanted and _usable(channel, facts):
            return channel, f"by {channel.value} because {note}"
    return None


def _wanted_channel(contact: ContactFacts, facts: HistoryFacts) -> Channel:
    last = facts.last
    preferred = Channel.CALL
    if contact.preferred_channel is not None:
        preferred = _PREFERRED[contact.preferred_channel]
    if last is None:
        return preferred
    if last.outcome == Outcome.VOICEMAIL and facts.email_ok:
        return Channel.EMAIL  # the written half of the voicemail + email pair
    if facts.label.phase is AttemptPhase.FTC and last.outcome == Outcome.EMAIL_SENT:
        return Channel.CALL  # alternate channels until someone answers
    return preferred


def _situation(channel: Channel, facts: HistoryFacts) -> MessageSituation:
    if channel is Channel.CALL:
        # Prepare the line for whoever is likely to pick up.
        if facts.last_call_outcome == Outcome.GATEKEEPER:
            return MessageSituation.GATEKEEPER
        return MessageSituation.VOICEMAIL
    return _SITUATION_OF[channel]


def _propose(
    situation: MessageSituation, phase: MessagePhase, facts: HistoryFacts,
    received: Collection[str], library: VariantLibrary,
) -> Proposal | Exhausted:
    last = facts.last
    after_voicemail = last is not None and last.outcome == Outcome.VOICEMAIL
    allow_paired = after_voicemail if situation is MessageSituation.EMAIL else (
        situation is not MessageSituation.VOICEMAIL or facts.email_ok)
    return propose_variant(
        situation, phase, facts.label.number, received, library,
        pair_of=last.variant_key if last is not None else None,
        allow_paired=allow_paired,
        fallback_phases=_FALLBACK_PHASES.get(phase, ()),
    )


def _call_phase(facts: HistoryFacts, qualifying: bool) -> CallPhase:
    if facts.label.phase is AttemptPhase.FTC:
        return CallPhase.FTC
    return CallPhase.QUALIFYING if qualifying else CallPhase.FOLLOW_UP


class _Timing(StrEnum):
    WINDOW = "window"  # calls in call windows, messages at the email hour
    PAIR = "pair"  # the email right after its voicemail
    ASAP = "asap"  # first working moment (trigger events)
    EXACT = "exact"  # the moment the prospect named, moved into working hours
    ON_DAY = "on_day"  # the day the prospect named: a call window that day if any


@dataclass(frozen=True, slots=True)
class _Intent:
    """The what and why of the next touch, before timing and message."""

    channel: Channel
    message_phase: MessagePhase
    purpose: str
    why: str
    base: datetime  # not earlier than this
    timing: _Timing = _Timing.WINDOW


def _slot_words(slot: Slot, tz: str) -> str:
    place = place_name(tz)
    if slot.window is None:
        return f"first working hour in {place} (no call window nearer)"
    quality = "the best" if slot.window.priority == 1 else "a good"
    at = slot.at  # formatted by hand: strftime is slow on the hot path
    when = f"{_DAY_NAMES[at.weekday()]} {at.hour:02d}:{at.minute:02d}"
    return f"{when} is {quality} call window in {place}"


def _when(
    intent: _Intent, contact: ContactFacts, settings: CadenceSettings, call_phase: CallPhase
) -> tuple[datetime, str]:
    tz, country, base = contact.timezone, contact.country or settings.holidays_country, intent.base
    place = place_name(tz)
    timing = intent.timing
    if timing is _Timing.PAIR and not settings.pair_email_at_once:
        timing = _Timing.WINDOW
    if timing is _Timing.ON_DAY:
        slot = find_call_slot(base, tz, country, call_phase, settings)
        if slot.at.date() == base.astimezone(zone(tz)).date():
            return slot.at, _slot_words(slot, tz)
        timing = _Timing.EXACT
    if timing is not _Timing.WINDOW:
        at = next_working_moment(base, tz, country, settings)
        words = {
            _Timing.PAIR: "right after the voicemail",
            _Timing.ASAP: "as soon as possible",
            _Timing.EXACT: "at the time they named",
        }[timing]
        return at, f"{words}, within working hours in {place}"
    if intent.channel in (Channel.CALL, Channel.MEETING):
        slot = find_call_slot(base, tz, country, call_phase, settings)
        return slot.at, _slot_words(slot, tz)
    at = next_email_slot(base, tz, country, settings)
    return at, f"messages go out at {at:%H:%M} local time in {place}"


def _spacing(facts: HistoryFacts, settings: CadenceSettings) -> int:
    if facts.label.phase is AttemptPhase.FTC:
        days = settings.ftc_spacing_days
        return days[min(facts.label.number - 2, len(days) - 1)]
    if facts.last is not None and facts.last.outcome == Outcome.NO_SHOW:
        return settings.no_show_retry_days
    days = settings.follow_up_spacing_days
    return days[min(facts.unanswered, len(days) - 1)]


def _ftc_intent(contact: ContactFacts, facts: HistoryFacts, now: datetime,
                settings: CadenceSettings, channel: Channel) -> _Intent:
    last, tz = facts.last, contact.timezone
    referral = contact.referred_by is not None
    phase = MessagePhase.REFERRAL if referral else MessagePhase.FTC
    purpose = "Get a first conversation"
    if referral:
        purpose += f", naming {contact.referred_by}'s introduction"
    if last is None:
        return _Intent(channel, phase, purpose, "first attempt to reach this contact", now)
    done = facts.label.number - 1
    why = (f"no conversation yet after {done} attempt{'s' if done > 1 else ''} "
           f"(last: {_outcome(last.outcome)} on {_day(last.occurred_at, tz)})")
    if channel is Channel.EMAIL and last.outcome == Outcome.VOICEMAIL:
        return _Intent(channel, phase, "Back up the voicemail in writing", why,
                       max(now, last.occurred_at), _Timing.PAIR)
    base = max(now, days_later(last.occurred_at, _spacing(facts, settings), tz))
    return _Intent(channel, phase, purpose, why, base)


def _follow_up_intent(contact: ContactFacts, facts: HistoryFacts, now: datetime,
                      settings: CadenceSettings, channel: Channel) -> _Intent:
    last, tz = facts.last, contact.timezone
    assert last is not None and facts.last_conversation is not None
    spoke = facts.last_conversation.occurred_at
    limit = settings.follow_ups_before_stalled
    if facts.unanswered:
        why = (f"{facts.unanswered} of {limit} follow-ups unanswered since the last "
               f"conversation on {_day(spoke, tz)}")
    else:
        kind = _outcome(facts.last_conversation.outcome)
        why = f"last spoke on {_day(spoke, tz)} ({kind})"
    if channel is Channel.EMAIL and last.outcome == Outcome.VOICEMAIL:
        return _Intent(channel, MessagePhase.FOLLOW_UP, "Back up the voicemail in writing",
                       why, max(now, last.occurred_at), _Timing.PAIR)
    base = max(now, days_later(last.occurred_at, _spacing(facts, settings), tz))
    silent = facts.unanswered > 0 and base - spoke >= timedelta(days=settings.nudge_after_days)
    phase = MessagePhase.NUDGE if silent else MessagePhase.FOLLOW_UP
    return _Intent(channel, phase, _follow_up_purpose(last, channel, contact, silent), why, base)


def _follow_up_purpose(
    last: TouchFact, channel: Channel, contact: ContactFacts, silent: bool
) -> str:
    if last.outcome == Outcome.NO_SHOW:
        return "Re-book the missed meeting"
    if contact.preferred_channel is PreferredChannel.VIDEO_DEMO and channel is Channel.MEETING:
        return "Offer the video demo they asked for and book it"
    if contact.preferred_channel is PreferredChannel.SELF_SERVE_DEMO and channel is Channel.EMAIL:
        return "Send the self-serve demo and ask what they found"
    if silent:
        return "Nudge after silence: ask whether their goal still matters, with something new"
    return ("Re-open the sale: recall their problem and what was to happen since, "
            "then bring a new idea")


def _callback_intent(contact: ContactFacts, facts: HistoryFacts, now: datetime,
                     settings: CadenceSettings, channel: Channel) -> _Intent:
    last, tz = facts.last, contact.timezone
    assert last is not None
    said = _day(last.occurred_at, tz)
    if last.callback_at is not None:
        if last.callback_at.tzinfo is None:
            raise ValueError(f"touch {last.id}: callback_at must carry a time zone")
        local = last.callback_at.astimezone(zone(tz))
        # A callback given as a bare date arrives as local midnight: pick the
        # best window of that day rather than 00:00 rounded to 08:00.
        timing = _Timing.ON_DAY if (local.hour, local.minute) == (0, 0) else _Timing.EXACT
        why = f"said \"not now\" on {said} and asked to be called on {_day(local, tz)}"
        return _Intent(channel, MessagePhase.FOLLOW_UP, "Call back as agreed", why,
                       max(now, last.callback_at), timing)
    base = max(now, days_later(last.occurred_at, settings.not_now_default_days, tz))
    why = (f"said \"not now\" on {said} without a date; calling back after "
           f"{settings.not_now_default_days} days")
    return _Intent(channel, MessagePhase.FOLLOW_UP, "Call back later, as they asked", why, base)


def _trigger_intent(trigger: TriggerFact, contact: ContactFacts, now: datetime,
                    channel: Channel) -> _Intent:
    why = f"they {trigger.what} on {_day(trigger.occurred_at, contact.timezone)}"
    return _Intent(channel, MessagePhase.TRIGGER,
                   f"React while it's fresh: they {trigger.what}", why,
                   max(now, trigger.occurred_at), _Timing.ASAP)


def _plan(intent: _Intent, contact: ContactFacts, facts: HistoryFacts, settings: CadenceSettings,
          received: Collection[str], library: VariantLibrary, deal_id: int | None,
          qualifying: bool, note: str | None) -> Plan:
    at, when = _when(intent, contact, settings, _call_phase(facts, qualifying))
    situation = _situation(intent.channel, facts)
    proposal = _propose(situation, intent.message_phase, facts, received, library)
    label = facts.label.text
    reason = f"{label[0].upper()}{label[1:]}: {intent.why}; {when}"
    if note:
        reason += f"; {note}"
    return Plan(channel=intent.channel, at=at, label=facts.label, purpose=intent.purpose,
                situation=situation, message_phase=intent.message_phase, variant=proposal,
                reason=reason + ".", deal_id=deal_id)


def _limit_stop(
    facts: HistoryFacts, contact: ContactFacts, settings: CadenceSettings
) -> Decision | None:
    if facts.label.phase is AttemptPhase.FTC:
        pause = settings.ftc_attempts_before_pause
        if pause is not None and facts.label.number > pause:
            return _stop(StopReason.PAUSED, contact.status,
                         f"{pause} first-time attempts without a conversation: planning "
                         "paused until a trigger event or a reply.")
        return None
    limit = settings.follow_ups_before_stalled
    if facts.unanswered >= limit and facts.last_conversation is not None:
        since = _day(facts.last_conversation.occurred_at, contact.timezone)
        return _stop(StopReason.STALLED, contact.status,
                     f"{facts.unanswered} follow-ups in a row without a reply since {since}: "
                     "the deal is stalled. Nothing more is planned until they reply or a "
                     "trigger event arrives.")
    return None


def deal_in_play(history: Sequence[TouchFact], open_deals: Collection[int]) -> int | None:
    """The deal a re-plan with no new touch follows: that of the latest touch (``history`` in label
    order) whose deal is still open. The bulk re-plan and the one-contact re-plan both ask this."""
    for touch in reversed(history):
        if touch.deal_id is not None and touch.deal_id in open_deals:
            return touch.deal_id
    return None


def plan_next(
    history: Iterable[TouchFact],
    contact: ContactFacts,
    now: datetime,
    settings: CadenceSettings,
    received_variant_keys: Collection[str],
    library: VariantLibrary,
    *,
    deal_id: int | None = None,
    qualifying: bool = True,
    custom_outcomes: Mapping[str, bool] | None = None,
    presorted: bool = False,
) -> Decision:
    """Plan the contact's next touch for ``deal_id``, or say why there is none.

    ``history``: all the contact's touches (every deal, any order).
    ``received_variant_keys``: every variant the contact ever received.
    ``qualifying``: the deal is still being qualified (08:00-09:00 calls allowed
    for follow-ups). ``custom_outcomes``: team outcome -> counts as conversation.
    ``presorted``: ``history`` is a sequence already in label order
    (``cadence.attempts.ordered``: ``occurred_at`` as an instant, then ``id``), every
    ``occurred_at`` aware. The bulk re-plan reads histories in that order from an
    index, so sorting a million of them again (a ``timestamp()`` call per touch) is saved.
    """
    if now.tzinfo is None:  # checked before ordering, as ordering raises on naive touches
        raise ValueError("now must be an aware datetime")
    touches = history if presorted and isinstance(history, Sequence) else ordered(history)
    last = touches[-1] if touches else None
    trigger = _fresh_trigger(contact, last)
    stopped = _contact_stop(last, contact, trigger)
    if stopped is not None:
        return stopped
    facts = read_history(touches, contact, deal_id, custom_outcomes)
    if trigger is None:
        limited = _limit_stop(facts, contact, settings)
        if limited is not None:
            return limited
    chosen = _choose_channel(Channel.CALL if trigger else _wanted_channel(contact, facts), facts, contact)
    if chosen is None:
        return _stop(StopReason.NO_CHANNEL, contact.status,
                     "No working phone number, email address or social profile: find new "
                     "contact details before the next attempt.")
    channel, note = chosen
    if trigger is not None:
        intent = _trigger_intent(trigger, contact, now, channel)
    elif last is not None and last.outcome == Outcome.NOT_NOW:
        intent = _callback_intent(contact, facts, now, settings, channel)
    elif facts.label.phase is AttemptPhase.FTC:
        intent = _ftc_intent(contact, facts, now, settings, channel)
    else:
        intent = _follow_up_intent(contact, facts, now, settings, channel)
    plan = _plan(intent, contact, facts, settings, received_variant_keys, library, deal_id,
                 qualifying, note)
    return Decision(plan=plan, contact_status=ContactStatus.ACTIVE, stop=None, reason=plan.reason)


MULTI_THREAD_PURPOSE = "Multi-thread: reach the decision maker"
_DECIDERS = frozenset({DecisionRole.DECISION_MAKER})


def decision_power_gap(reached_roles: Iterable[DecisionRole | str]) -> bool:
    """True when contacts were reached on a deal but none of them decides.

    Only a decision maker closes the gap: champions and influencers help, but
    following up with them alone is how deals drift ("chasing someone with no
    power"). No contact reached yet means no gap to flag (nothing is known).
    """
    roles = [DecisionRole(r) for r in reached_roles]
    return bool(roles) and not any(r in _DECIDERS for r in roles)
