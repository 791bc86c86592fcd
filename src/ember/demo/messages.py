"""Which library message each demo touch used, and which one the next touch proposes.

Only when ``ember.messages`` provides its default library (and the demo
inserted it). Touches record the variant they used, so the rotation rule
("never the same message twice to one contact") has a history to work with,
and the planned touches propose what that rule would propose next.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from ember.messages.defaults import default_library
from ember.messages.rules import propose_variant
from ember.vocabulary import Channel, MessagePhase, MessageSituation, Outcome

# Which outcomes leave a written or spoken message behind, and of what kind.
_SITUATION_OF_OUTCOME = {
    (Channel.EMAIL, Outcome.EMAIL_SENT): MessageSituation.EMAIL,
    (Channel.VOICEMAIL, Outcome.VOICEMAIL): MessageSituation.VOICEMAIL,
    (Channel.CALL, Outcome.GATEKEEPER): MessageSituation.GATEKEEPER,
    (Channel.SOCIAL, Outcome.NO_ANSWER): MessageSituation.SOCIAL,
}
# A planned call proposes the voicemail to leave if nobody picks up.
_SITUATION_OF_PLAN = {Channel.CALL: MessageSituation.VOICEMAIL, Channel.EMAIL: MessageSituation.EMAIL,
                      Channel.SOCIAL: MessageSituation.SOCIAL}


def _phase(label: str) -> MessagePhase:
    return MessagePhase.FTC if label.startswith("FTC") else MessagePhase.FOLLOW_UP


def _attempt(label: str) -> int:
    return int(label.rsplit("#", 1)[1])


def _propose(situation: MessageSituation, phase: MessagePhase, attempt: int,
             received: Collection[str], pair_of: str | None) -> str | None:
    # Histories repeat a lot (most start with the same few messages), so the
    # answer for a given situation and history is memoised: it took a sixth
    # of the generation time at scale before.
    return _propose_cached(situation, phase, attempt, tuple(sorted(received)), pair_of)


@lru_cache(maxsize=50_000)
def _propose_cached(situation: MessageSituation, phase: MessagePhase, attempt: int,
                    received: tuple[str, ...], pair_of: str | None) -> str | None:
    proposal = propose_variant(situation, phase, attempt, frozenset(received), default_library(),
                               pair_of=pair_of)
    return proposal.key


def used_variant(channel: str, outcome: str, label: str, received: set[str],
                 previous: str | None) -> str | None:
    """The key of the message this touch used (and remember it as received)."""
    situation = _SITUATION_OF_OUTCOME.get((Channel(channel), Outcome(outcome)))
    if situation is None:
        return None
    key = _propose(situation, _phase(label), _attempt(label), received, previous)
    if key is not None:
        received.add(key)
    return key


def proposed_variant(channel: str, kind: str, label: str, stalled: bool,
                     received: Collection[str]) -> str | None:
    """The key the next touch would use, given what the contact already received."""
    situation = _SITUATION_OF_PLAN.get(Channel(channel), MessageSituation.EMAIL)
    phase = MessagePhase.NUDGE if stalled else MessagePhase(kind)
    return _propose(situation, phase, _attempt(label), received, None)
