"""Qualification coverage: problem, decision makers, timeline, budget.

An area is covered when the prospect side says something about it, or the
rep asks about it and the prospect answers in the next turn. Evidence keeps
every matching sentence with its time, from either side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ember.conversation.utterances import Utterance
from ember.vocabulary import Side

AREAS: dict[str, re.Pattern[str]] = {
    "problem": re.compile(
        r"\b(problem|challenge|struggl\w*|pain|frustrat\w*|issue|bottleneck|takes (us )?too long|"
        r"manual(ly)?|spreadsheets?|falling through the cracks|losing|we can't|we don't have a way|"
        r"hard to|difficult|what's not working|biggest headache)\b"),
    "decision_makers": re.compile(
        r"\b(decision|decide|sign(s)? off|approv\w*|final (say|call|word)|who else|stakeholders?|"
        r"buying committee|procurement|my boss|cfo|ceo|cto|vp of|head of|board|legal team|"
        r"involved in (the|this)|owns the budget|holds the purse strings)\b"),
    "timeline": re.compile(
        r"\b(timeline|time frame|timeframe|go live|go-live|roll ?out|implement\w*|deadline|"
        r"by (q[1-4]|the end of|next (quarter|month|year))|this quarter|next quarter|"
        r"renewal|when (would|do) you (need|want|plan))\b"),
    "budget": re.compile(
        r"\b(budget\w*|price|pricing|cost\w*|spend|afford|per (seat|user|month|year)|"
        r"\$\s?\d|\d+ ?(k|thousand|dollars|euros)|investment|roi|quote|set aside|"
        r"thousand|million|dollars|euros|pounds|per (licen[cs]e|location|site))\b"),
}


# A person's title alone ("our CFO set aside forty thousand") says who holds
# the money, not who decides: such a sentence is evidence of the other area
# it names, and of decision makers only when it says nothing else.
_TITLE_ONLY = re.compile(r"\b(procurement|my boss|cfo|ceo|cto|vp of|head of|board|legal team)\b")
_DECIDING = re.compile(
    r"\b(decision|decide|sign(s)? off|approv\w*|final (say|call|word)|who else|stakeholders?|"
    r"buying committee|involved in (the|this)|owns the budget|holds the purse strings)\b")


def _areas_of(text: str) -> list[str]:
    """The areas a sentence is evidence of."""
    found = [area for area, pattern in AREAS.items() if pattern.search(text)]
    if "decision_makers" in found and len(found) > 1 and not _DECIDING.search(text):
        found.remove("decision_makers")
    return found


# All areas in one pattern: one search per sentence finds the few that
# mention any area at all.
_ANY_AREA = re.compile("|".join(f"(?:{p.pattern})" for p in AREAS.values()))


@dataclass(frozen=True, slots=True)
class Evidence:
    speaker: str
    side: Side | None
    quote: str
    start_s: float


@dataclass(frozen=True, slots=True)
class Coverage:
    covered: bool
    evidence: tuple[Evidence, ...]


def qualification(units: list[Utterance], sides: dict[str, Side]) -> dict[str, Coverage]:
    result: dict[str, Coverage] = {}
    lowered = [u.text.lower() for u in units]
    areas = {i: _areas_of(text) for i, text in enumerate(lowered) if _ANY_AREA.search(text)}
    for area in AREAS:
        evidence: list[Evidence] = []
        covered = False
        for index, found in areas.items():
            unit = units[index]
            if area not in found:
                continue
            side = sides.get(unit.speaker)
            evidence.append(Evidence(unit.speaker, side, unit.text, round(unit.start, 2)))
            if side is Side.PROSPECT or (unit.question and _answered(units, index, sides)):
                covered = True
        result[area] = Coverage(covered, tuple(evidence[:5]))
    return result


def _answered(units: list[Utterance], index: int, sides: dict[str, Side]) -> bool:
    """The next sentence by someone else is the prospect's, and not a question."""
    asker = units[index].speaker
    for unit in units[index + 1 : index + 4]:
        if unit.speaker != asker:
            return sides.get(unit.speaker) is Side.PROSPECT and len(unit.text.split()) >= 3
    return False
