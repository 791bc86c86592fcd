"""What a logged touch may say: the outcomes possible on each channel, and a believable date. Pure."""

from __future__ import annotations

from datetime import datetime

from ember.vocabulary import Outcome

_BUILT_IN = frozenset(o.value for o in Outcome)

# Outcomes that cannot happen on a channel (built-in outcomes only; a team's own
# outcomes are theirs to pair). Nobody meets a gatekeeper in an email, and a
# text message does not hold a meeting.
_EMAIL_OUTCOMES = frozenset({Outcome.EMAIL_SENT, Outcome.EMAIL_REPLIED, Outcome.EMAIL_BOUNCED})
_SPOKEN_ONLY = frozenset({Outcome.GATEKEEPER, Outcome.VOICEMAIL, Outcome.WRONG_NUMBER})
_MEETING_ONLY = frozenset({Outcome.MEETING_HELD, Outcome.NO_SHOW})
IMPOSSIBLE_OUTCOMES: dict[str, frozenset[Outcome]] = {
    "call": _EMAIL_OUTCOMES,
    "voicemail": _EMAIL_OUTCOMES | _MEETING_ONLY | frozenset(
        {Outcome.CONVERSATION, Outcome.GATEKEEPER, Outcome.SAID_NO, Outcome.NOT_NOW}),
    "email": _SPOKEN_ONLY | _MEETING_ONLY | frozenset({Outcome.NO_ANSWER}),
    "sms": _SPOKEN_ONLY | _MEETING_ONLY | _EMAIL_OUTCOMES,
    "social": _SPOKEN_ONLY | _MEETING_ONLY | _EMAIL_OUTCOMES,
    "meeting": _SPOKEN_ONLY | _EMAIL_OUTCOMES,
}
NOTES_MAX = 5000
# A clock a few minutes fast on the rep's laptop is not a touch "in the future".
FUTURE_TOLERANCE_S = 300


def impossible_pair(channel: str, outcome: str) -> bool:
    """True when this outcome cannot happen on this channel (e.g. email + gatekeeper)."""
    return outcome in _BUILT_IN and Outcome(outcome) in IMPOSSIBLE_OUTCOMES.get(channel, frozenset())


def possible_outcomes(channel: str) -> list[str]:
    """The built-in outcomes that can happen on a channel, in the vocabulary's order."""
    return [o.value for o in Outcome if not impossible_pair(channel, o.value)]


def date_problem(occurred_at: datetime, *, now: datetime, contact_since: datetime | None,
                 confirmed: bool) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) with a touch's date, or None when the date is fine.

    A touch in the future is always refused: it has not happened. One dated before
    the contact was added is allowed only when confirmed (older history being typed
    in), because it is far more often a wrong year or month.
    """
    if (occurred_at - now).total_seconds() > FUTURE_TOLERANCE_S:
        return ("is in the future", "give the time it happened (blank means now); plan later work as a call-back")
    if contact_since is not None and occurred_at < contact_since and not confirmed:
        return (f"is before the contact was added ({contact_since:%Y-%m-%d})",
                "check the date; if it really happened then, confirm the earlier date")
    return None
