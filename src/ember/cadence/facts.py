"""What a contact's touch history says, read once per planning call.

Pure. Split from ``rules.py`` so the planning module stays readable: this is
the counting (attempt label, unanswered follow-ups, which channels still
work), ``rules.py`` is the deciding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ember.cadence.attempts import (
    AttemptLabel,
    TouchFact,
    counts_as_conversation,
    first_conversation_index,
    next_label,
)
from ember.vocabulary import Channel, ContactStatus, Outcome, PreferredChannel

_PHONE_CHANNELS = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.SMS})
# Within this long after a voicemail, an email is its written pair, not a
# separate attempt, when counting unanswered follow-ups.
_PAIR_GAP = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class TriggerFact:
    """The last trigger event for the contact (re-opens a "no")."""

    occurred_at: datetime
    what: str  # "looked at the pricing page", completes "they ..."


@dataclass(frozen=True, slots=True)
class ContactFacts:
    timezone: str
    country: str | None = None
    preferred_channel: PreferredChannel | None = None
    status: ContactStatus = ContactStatus.ACTIVE
    has_phone: bool = True
    has_email: bool = True
    has_social: bool = False
    do_not_call: bool = False  # opted out of calls (CRM DoNotCall): no calls, voicemails or texts
    do_not_email: bool = False  # opted out of email
    referred_by: str | None = None
    last_trigger: TriggerFact | None = None


@dataclass(frozen=True, slots=True)
class HistoryFacts:
    """What the history says, computed once per planning call."""

    touches: Sequence[TouchFact]
    label: AttemptLabel
    last: TouchFact | None
    last_conversation: TouchFact | None  # in this deal, else the first one
    unanswered: int  # follow-ups in this deal since its last conversation
    phone_ok: bool
    email_ok: bool
    social_ok: bool
    last_call_outcome: str | None


def _channel_health(touches: Sequence[TouchFact], contact: ContactFacts) -> tuple[bool, bool]:
    # A wrong number (bounce) blocks the channel until a later touch on it
    # gets through, which means someone fixed the number (address).
    has_phone = contact.has_phone and not contact.do_not_call
    has_email = contact.has_email and not contact.do_not_email
    phone_ok, email_ok = has_phone, has_email
    for touch in touches:
        if touch.outcome == Outcome.WRONG_NUMBER:
            phone_ok = False
        elif touch.channel in _PHONE_CHANNELS:
            phone_ok = has_phone
        if touch.outcome == Outcome.EMAIL_BOUNCED:
            email_ok = False
        elif touch.channel == Channel.EMAIL:
            email_ok = has_email
    return phone_ok, email_ok


def _is_pair_email(previous: TouchFact | None, touch: TouchFact) -> bool:
    return (
        previous is not None
        and previous.outcome == Outcome.VOICEMAIL
        and touch.channel == Channel.EMAIL
        and touch.occurred_at - previous.occurred_at <= _PAIR_GAP
    )


def _deal_silence(
    touches: Sequence[TouchFact], first: int, deal_id: int | None,
    custom: Mapping[str, bool] | None,
) -> tuple[TouchFact, int]:
    last_conversation, unanswered, previous = touches[first], 0, None
    for touch in touches[first + 1 :]:
        if touch.deal_id != deal_id:
            continue
        if counts_as_conversation(touch.outcome, custom):
            last_conversation, unanswered = touch, 0
        elif not _is_pair_email(previous, touch):
            unanswered += 1
        previous = touch
    return last_conversation, unanswered


def read_history(
    touches: Sequence[TouchFact], contact: ContactFacts, deal_id: int | None,
    custom: Mapping[str, bool] | None,
) -> HistoryFacts:
    first = first_conversation_index(touches, custom)
    last_conversation, unanswered = (
        (None, 0) if first is None else _deal_silence(touches, first, deal_id, custom)
    )
    phone_ok, email_ok = _channel_health(touches, contact)
    last_call = next((t.outcome for t in reversed(touches) if t.channel == Channel.CALL), None)
    return HistoryFacts(
        touches=touches,
        label=next_label(touches, deal_id, presorted=True, first=first),
        last=touches[-1] if touches else None,
        last_conversation=last_conversation,
        unanswered=unanswered,
        phone_ok=phone_ok,
        email_ok=email_ok,
        social_ok=contact.has_social or contact.preferred_channel is PreferredChannel.SOCIAL,
        last_call_outcome=last_call,
    )
