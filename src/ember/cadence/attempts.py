"""Attempt labelling: which touches are first-time calls and which are follow-ups.

Pure functions of a contact's touch history; no database, no clock.

How we read "per contact and deal":

* The FTC phase belongs to the *contact*: it lasts until the first
  conversation with that person, whichever deal the touch was logged under.
  Most first-time attempts are logged before any deal exists, and a second
  deal with someone we already spoke to does not make them a stranger again.
* FTC numbers count every touch to the contact up to and including the touch
  in which the first conversation happened (that touch is the attempt that got
  through, so it is still an FTC attempt). Pass ``ftc_per_deal=True`` to count
  FTC attempts per deal instead.
* Follow-up numbers count the contact's touches *for one deal* after the first
  conversation. Touches with no deal form their own group (``deal_id=None``).

Labels depend only on the set of touches, ordered by ``occurred_at`` then
``id``: a back-dated touch or a deleted one renumbers everything after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from ember.vocabulary import CONVERSATION_OUTCOMES, Outcome

_BUILT_IN = frozenset(o.value for o in Outcome)


class AttemptPhase(StrEnum):
    FTC = "ftc"
    FOLLOW_UP = "follow_up"


@dataclass(frozen=True, slots=True)
class TouchFact:
    """What the rules need to know about one logged touch.

    ``outcome`` and ``channel`` are plain strings so that team-defined
    outcomes fit; built-in values are those of ``ember.vocabulary``.
    ``variant_key`` is the message variant used (if any), so a voicemail's
    paired email can be proposed next. ``callback_at`` is the moment the
    prospect asked to be called back (for "not-now"), kept on the touch so
    that re-planning stays a function of the history.
    """

    id: int
    occurred_at: datetime
    outcome: str
    channel: str
    deal_id: int | None = None
    variant_key: str | None = None
    callback_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AttemptLabel:
    phase: AttemptPhase
    number: int

    @property
    def text(self) -> str:
        prefix = "FTC" if self.phase is AttemptPhase.FTC else "follow-up"
        return f"{prefix} #{self.number}"

    def __str__(self) -> str:
        return self.text


def counts_as_conversation(outcome: str, custom_outcomes: Mapping[str, bool] | None = None) -> bool:
    """True when this outcome means the rep really reached the person.

    Built-in outcomes cannot be redefined by a team (a team's "conversation"
    must mean what Ember's does); unknown outcomes count as unanswered.
    """
    if outcome in CONVERSATION_OUTCOMES:
        return True
    if custom_outcomes is None or outcome in _BUILT_IN:
        return False
    return bool(custom_outcomes.get(outcome, False))


def _sort_key(touch: TouchFact) -> tuple[float, int]:
    # Compare instants, not wall clocks: two aware datetimes that share a
    # tzinfo compare by wall time, which is wrong inside a DST fold.
    if touch.occurred_at.tzinfo is None:
        raise ValueError(f"touch {touch.id}: occurred_at must carry a time zone")
    return (touch.occurred_at.timestamp(), touch.id)


def ordered(touches: Iterable[TouchFact]) -> list[TouchFact]:
    """The touches in the order the labels are computed in."""
    return sorted(touches, key=_sort_key)


def first_conversation_index(
    history: Sequence[TouchFact], custom_outcomes: Mapping[str, bool] | None = None
) -> int | None:
    """Index in an *ordered* history of the touch that ended the FTC phase."""
    for index, touch in enumerate(history):
        if counts_as_conversation(touch.outcome, custom_outcomes):
            return index
    return None


def label_touches(
    touches: Iterable[TouchFact],
    custom_outcomes: Mapping[str, bool] | None = None,
    *,
    ftc_per_deal: bool = False,
) -> dict[int, AttemptLabel]:
    """Label every touch of one contact: ``{touch_id: AttemptLabel}``."""
    history = ordered(touches)
    first = first_conversation_index(history, custom_outcomes)
    ftc_end = len(history) if first is None else first + 1
    labels: dict[int, AttemptLabel] = {}
    ftc_counts: dict[int | None, int] = {}
    follow_up_counts: dict[int | None, int] = {}
    for index, touch in enumerate(history):
        if index < ftc_end:
            group = touch.deal_id if ftc_per_deal else None
            ftc_counts[group] = ftc_counts.get(group, 0) + 1
            labels[touch.id] = AttemptLabel(AttemptPhase.FTC, ftc_counts[group])
        else:
            follow_up_counts[touch.deal_id] = follow_up_counts.get(touch.deal_id, 0) + 1
            labels[touch.id] = AttemptLabel(
                AttemptPhase.FOLLOW_UP, follow_up_counts[touch.deal_id]
            )
    return labels


def next_label(
    touches: Iterable[TouchFact],
    deal_id: int | None = None,
    custom_outcomes: Mapping[str, bool] | None = None,
    *,
    ftc_per_deal: bool = False,
    presorted: bool = False,
    first: int | Literal["unknown"] | None = "unknown",
) -> AttemptLabel:
    """The label the next touch to this contact (for ``deal_id``) will get.

    ``presorted``: ``touches`` is already in label order (``ordered``), which saves
    a sort; ``first``: its first conversation index, when the caller already knows it.
    """
    history = touches if presorted and isinstance(touches, Sequence) else ordered(touches)
    if first == "unknown":
        first = first_conversation_index(history, custom_outcomes)
    if first is None:
        count = sum(1 for t in history if t.deal_id == deal_id) if ftc_per_deal else len(history)
        return AttemptLabel(AttemptPhase.FTC, count + 1)
    count = sum(1 for t in history[first + 1 :] if t.deal_id == deal_id)
    return AttemptLabel(AttemptPhase.FOLLOW_UP, count + 1)
