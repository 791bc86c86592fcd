"""The prospect's stated problems, and the points made at the end of the call."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ember.conversation.utterances import Utterance
from ember.vocabulary import Side

_PROBLEM = re.compile(
    r"\b(our (biggest )?(problem|challenge|issue)|the (problem|challenge|issue) (is|we)|"
    r"we struggle|we're struggling|we are struggling|struggl\w+ with|frustrat\w*|pain point|"
    r"takes (us )?(too long|forever|hours|days)|we can't|we cannot|we don't have (a|any) way|"
    r"falling through the cracks|we keep (losing|missing)|we lose|we're losing|we waste|"
    r"wasting|too much time|bottleneck|headache|it's a mess|manual(ly)?)\b"
)
_PLEASANTRY = re.compile(
    r"\b(thank|thanks|bye|goodbye|talk soon|take care|have a (good|great|nice)|"
    r"appreciate (it|your time)|good to talk|nice talking|cheers)\b"
)


@dataclass(frozen=True, slots=True)
class Point:
    speaker: str
    side: Side | None
    quote: str
    start_s: float


def stated_problems(units: list[Utterance], sides: dict[str, Side]) -> list[Point]:
    return [
        Point(u.speaker, Side.PROSPECT, u.text, round(u.start, 2))
        for u in units
        if sides.get(u.speaker) is Side.PROSPECT and not u.question
        and _PROBLEM.search(u.text.lower().replace("’", "'"))
    ]


def closing_points(
    units: list[Utterance], sides: dict[str, Side], window_s: float, count: int
) -> list[Point]:
    """The last substantive sentences: the next call's opener starts from them.

    Substantive: five words or more and not a goodbye. Only the final
    `window_s` seconds are searched.
    """
    if not units:
        return []
    end = max(u.end for u in units)
    picked = [
        u for u in units
        if u.start >= end - window_s and len(u.text.split()) >= 5
        and not _PLEASANTRY.search(u.text.lower())
    ]
    return [
        Point(u.speaker, sides.get(u.speaker), u.text, round(u.start, 2)) for u in picked[-count:]
    ]
