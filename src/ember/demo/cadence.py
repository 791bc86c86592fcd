"""Touch sequences that follow plausible cadences, and their attempt labels.

A sequence is drawn as outcomes first (what happened, in order) and placed on
the calendar second (when), walking backwards from the last touch. Drawing
backwards lets an open deal's last touch sit a few days before "now" while a
closed deal's last touch sits at its close date.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from ember.cadence.attempts import TouchFact, label_touches
from ember.demo.clock import Calendar, random_minute
from ember.vocabulary import CONVERSATION_OUTCOMES, Channel, Outcome

T = TypeVar("T")
Move = tuple[Channel, Outcome]
MAX_HISTORY = 195  # working days in about nine months


class Weighted(Generic[T]):
    """A fixed weighted choice; cheaper than ``rng.choices`` in a hot loop."""

    __slots__ = ("_cumulative", "_items")

    def __init__(self, pairs: Sequence[tuple[T, int]]) -> None:
        self._items = tuple(item for item, _ in pairs)
        total = 0
        cumulative = []
        for _, weight in pairs:
            total += weight
            cumulative.append(total)
        self._cumulative = tuple(cumulative)

    def pick(self, rng: random.Random) -> T:
        at = rng.random() * self._cumulative[-1]
        return self._items[bisect.bisect_right(self._cumulative, at)]


# Attempts that did not reach the person. Email is the most common first try,
# then calls that end in voicemail, no answer or a gatekeeper.
_FTC_MISS: Weighted[Move] = Weighted([
    ((Channel.EMAIL, Outcome.EMAIL_SENT), 30), ((Channel.VOICEMAIL, Outcome.VOICEMAIL), 24),
    ((Channel.CALL, Outcome.NO_ANSWER), 19), ((Channel.CALL, Outcome.GATEKEEPER), 18),
    ((Channel.SOCIAL, Outcome.NO_ANSWER), 6), ((Channel.SMS, Outcome.NO_ANSWER), 1),
    ((Channel.EMAIL, Outcome.EMAIL_BOUNCED), 1), ((Channel.CALL, Outcome.WRONG_NUMBER), 1),
])
# The touch that got through.
_FIRST_TALK: Weighted[Move] = Weighted([
    ((Channel.CALL, Outcome.CONVERSATION), 58), ((Channel.EMAIL, Outcome.EMAIL_REPLIED), 24),
    ((Channel.MEETING, Outcome.MEETING_HELD), 10), ((Channel.CALL, Outcome.NOT_NOW), 8),
])
# Touches after the first conversation, while the deal is alive.
_FOLLOW_UP: Weighted[Move] = Weighted([
    ((Channel.EMAIL, Outcome.EMAIL_SENT), 28), ((Channel.CALL, Outcome.CONVERSATION), 20),
    ((Channel.VOICEMAIL, Outcome.VOICEMAIL), 13), ((Channel.CALL, Outcome.NO_ANSWER), 9),
    ((Channel.EMAIL, Outcome.EMAIL_REPLIED), 11), ((Channel.MEETING, Outcome.MEETING_HELD), 12),
    ((Channel.MEETING, Outcome.NO_SHOW), 3), ((Channel.CALL, Outcome.NOT_NOW), 3),
    ((Channel.SOCIAL, Outcome.NO_ANSWER), 1),
])
_WON_LAST: Weighted[Move] = Weighted([
    ((Channel.MEETING, Outcome.MEETING_HELD), 6), ((Channel.EMAIL, Outcome.EMAIL_REPLIED), 3),
    ((Channel.CALL, Outcome.CONVERSATION), 2),
])
_SILENT_LAST: Weighted[Move] = Weighted([
    ((Channel.EMAIL, Outcome.EMAIL_SENT), 5), ((Channel.VOICEMAIL, Outcome.VOICEMAIL), 3),
    ((Channel.CALL, Outcome.NO_ANSWER), 2),
])

NOTES: dict[str, tuple[str, ...]] = {
    Outcome.CONVERSATION: (
        "Walked through their current process; they lose hours a week to manual hand-offs.",
        "Good call. Wants to see how reporting works before looping in finance.",
        "Asked about integrations with their CRM; promised a short technical overview.",
        "Discussed timeline: they want something live before the next quarter.",
        "Talked pricing ranges; no objection, but needs the CFO's view.",
    ),
    Outcome.MEETING_HELD: (
        "Demo for three people from their team; questions about permissions and exports.",
        "Reviewed the proposal together; two open points on the contract.",
        "Workshop on their onboarding flow; they mapped where the delays come from.",
    ),
    Outcome.NOT_NOW: (
        "Busy with a product launch; asked to be called back in a few weeks.",
        "In the middle of budget planning; call back next month.",
    ),
    Outcome.SAID_NO: (
        "Said no: not a priority this year.",
        "Said no: they are staying with their current vendor.",
    ),
    Outcome.EMAIL_REPLIED: (
        "Replied with two times that work for a call.",
        "Replied: interested, forwarded to a colleague.",
    ),
    Outcome.GATEKEEPER: (
        "Assistant took a message; best to call before nine.",
        "Reception would not put us through without a name of a project.",
    ),
}


@dataclass(slots=True)
class Step:
    """One touch of a sequence before it is given ids and stored."""

    channel: str
    outcome: str
    offset: int = 0  # working days before the anchor
    minute: int = 0  # local minute of the day
    at: datetime | None = None

    @property
    def instant(self) -> datetime:
        """When it happened (set by ``stamp``)."""
        if self.at is None:
            raise ValueError("step not placed on the calendar yet")
        return self.at


@dataclass(frozen=True, slots=True)
class Shape:
    """How a contact's history goes: misses, whether they talked, how it ended."""

    misses: int  # FTC attempts that did not get through
    talked: bool  # whether a first conversation happened
    follow_ups: int  # touches after the first conversation
    ending: str  # "open" | "won" | "silent" | "said_no"


def outcomes(rng: random.Random, shape: Shape) -> list[Step]:
    """The ordered outcomes of one contact's touches for one deal (or none)."""
    steps = [Step(*_pair(_FTC_MISS.pick(rng))) for _ in range(shape.misses)]
    if not shape.talked:
        return steps
    if shape.ending == "said_no" and shape.follow_ups == 0:
        steps.append(Step(Channel.CALL, Outcome.SAID_NO))
        return steps
    steps.append(Step(*_pair(_FIRST_TALK.pick(rng))))
    for index in range(shape.follow_ups):
        last = index == shape.follow_ups - 1
        steps.append(Step(*_pair(_last_pick(rng, shape.ending) if last else _FOLLOW_UP.pick(rng))))
    return steps


def _last_pick(rng: random.Random, ending: str) -> Move:
    if ending == "won":
        return _WON_LAST.pick(rng)
    if ending == "silent":
        return _SILENT_LAST.pick(rng)
    if ending == "said_no":
        return (Channel.CALL, Outcome.SAID_NO)
    return _FOLLOW_UP.pick(rng)


def _pair(item: Move) -> tuple[str, str]:
    channel, outcome = item
    return channel.value, outcome.value


def place(rng: random.Random, steps: list[Step], end: int, oldest: int) -> int:
    """Give each step a working-day offset, ending at ``end``; returns the first offset.

    FTC attempts come every one to four working days, follow-ups every two to
    nine; when the history would reach back further than ``oldest`` the gaps
    shrink to fit (several touches may then share a day).
    """
    if not steps:
        return end
    gaps = _gaps(rng, steps)
    span = sum(gaps)
    room = max(oldest - end, 0)
    if span > room:
        gaps = [g * room // span for g in gaps]
    offset = end + sum(gaps)
    first = offset
    steps[0].offset = offset
    for step, gap in zip(steps[1:], gaps, strict=True):
        offset -= gap
        step.offset = offset
    for step in steps:
        step.minute = random_minute(rng)
        if step.channel == Channel.CALL:
            step.minute = _call_minute(rng, step)
    _order_same_day(steps)
    return first


def _call_minute(rng: random.Random, step: Step) -> int:
    """People pick up late in the afternoon and rarely over lunch: the demo's call windows show it."""
    draw = rng.random()
    if step.outcome in CONVERSATION_OUTCOMES and draw < 0.3:
        return 16 * 60 + int(rng.random() * 60)
    if step.outcome not in CONVERSATION_OUTCOMES and draw < 0.25:
        return 12 * 60 + int(rng.random() * 120)
    return step.minute


def _gaps(rng: random.Random, steps: list[Step]) -> list[int]:
    """Working days between consecutive steps: short while trying, longer after talking."""
    gaps = []
    talked = False
    for previous in steps[:-1]:
        talked = talked or previous.outcome in CONVERSATION_OUTCOMES
        gaps.append(2 + int(rng.random() * 8) if talked else 1 + int(rng.random() * 4))
    return gaps


def _order_same_day(steps: list[Step]) -> None:
    """Touches on one day happen in sequence order: sort their minutes."""
    start = 0
    while start < len(steps):
        stop = start + 1
        while stop < len(steps) and steps[stop].offset == steps[start].offset:
            stop += 1
        if stop - start > 1:
            minutes = sorted(s.minute for s in steps[start:stop])
            for step, minute in zip(steps[start:stop], minutes, strict=True):
                step.minute = minute
        start = stop


def stamp(calendar: Calendar, country: str, tz: str, steps: list[Step]) -> None:
    for step in steps:
        step.at = calendar.instant(country, tz, step.offset, step.minute)


def callback_after(at: datetime, rng: random.Random) -> datetime:
    """When a "not now" prospect asked to be called back."""
    return at + timedelta(days=14 + int(rng.random() * 42))


# --- attempt labels ----------------------------------------------------------

LabelInput = tuple[int, datetime, str, int | None]  # id, occurred_at, outcome, deal_id


def local_labels(touches: Sequence[LabelInput]) -> dict[int, str]:
    """FTC #n up to and including the first conversation, then follow-up #n per deal.

    The same reading as ``ember.cadence.attempts.label_touches``; used when that
    module is not installed.
    """
    labels: dict[int, str] = {}
    talked = False
    ftc = 0
    follow_ups: dict[int | None, int] = {}
    for touch_id, _, outcome, deal_id in sorted(touches, key=lambda t: (t[1], t[0])):
        if talked:
            follow_ups[deal_id] = follow_ups.get(deal_id, 0) + 1
            labels[touch_id] = f"follow-up #{follow_ups[deal_id]}"
            continue
        ftc += 1
        labels[touch_id] = f"FTC #{ftc}"
        talked = outcome in CONVERSATION_OUTCOMES
    return labels


def _rules_labels(touches: Sequence[LabelInput]) -> dict[int, str]:
    facts = [TouchFact(id=t[0], occurred_at=t[1], outcome=t[2], channel="", deal_id=t[3])
             for t in touches]
    return {touch_id: label.text for touch_id, label in label_touches(facts).items()}


Labeller = Callable[[Sequence[LabelInput]], dict[int, str]]


def labeller() -> tuple[str, Labeller]:
    """The labelling function to use, and where it comes from."""
    return "ember.cadence.attempts", _rules_labels
