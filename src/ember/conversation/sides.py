"""Who is the rep and who is the prospect.

In order of trust: names the user gives (--rep), names of known users of the
team, sides the source declares (Gong affiliation), and a heuristic. The
heuristic scores each speaker on what sellers typically do — open the call,
ask the discovery questions, talk about "our product", set next steps — and
picks the highest as the rep; its confidence grows with the margin.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ember.conversation.transcript import Transcript
from ember.conversation.utterances import Utterance
from ember.vocabulary import Side

SELLER_PHRASES = (
    "thanks for taking the time", "thank you for taking the time", "thanks for joining",
    "thank you for joining", "our platform", "our product", "our customers", "our clients",
    "we help", "we work with", "i'm calling from", "i am calling from", "the reason for my call",
    "agenda", "next steps", "i'll send", "i will send", "our pricing", "we offer",
    "let me show you", "one of our customers", "a customer of ours", "walk you through",
)


_SELLER = re.compile("|".join(re.escape(phrase) for phrase in SELLER_PHRASES))


@dataclass(frozen=True, slots=True)
class SideAssignment:
    sides: dict[str, Side]
    method: str  # "named", "known_users", "declared", "heuristic", "single_speaker"
    confidence: float


def _matches(speaker: str, names: Iterable[str]) -> bool:
    """Case-insensitive; "Dana" matches "Dana Whitfield", so does the full name."""
    label = speaker.lower()
    tokens = set(label.replace(",", " ").split())
    for name in names:
        wanted = name.strip().lower()
        if wanted and (wanted == label or wanted in tokens or label.startswith(wanted + " ")):
            return True
    return False


def assign_sides(
    transcript: Transcript,
    units: list[Utterance],
    reps: Iterable[str] = (),
    known_reps: Iterable[str] = (),
) -> SideAssignment:
    speakers = transcript.speakers
    for names, method, confidence in ((tuple(reps), "named", 1.0),
                                      (tuple(known_reps), "known_users", 0.95)):
        if names and any(_matches(s, names) for s in speakers):
            sides = {s: Side.REP if _matches(s, names) else Side.PROSPECT for s in speakers}
            return SideAssignment(sides, method, confidence)
    declared = transcript.declared_sides
    if declared and any(side is Side.REP for side in declared.values()):
        sides = {s: declared.get(s, Side.PROSPECT) for s in speakers}
        return SideAssignment(sides, "declared", 0.9)
    if len(speakers) < 2:
        return SideAssignment({s: Side.REP for s in speakers}, "single_speaker", 0.0)
    return _heuristic(speakers, units)


def _heuristic(speakers: list[str], units: list[Utterance]) -> SideAssignment:
    scores: Counter[str] = Counter({s: 0.0 for s in speakers})
    scores[units[0].speaker] += 2  # sellers usually open the call
    for unit in units:
        if unit.question:
            scores[unit.speaker] += 1
        scores[unit.speaker] += 2 * len(_SELLER.findall(unit.text.lower()))
    ranked = scores.most_common()
    rep, top = ranked[0]
    second = ranked[1][1]
    margin = (top - second) / (top + second) if top + second else 0.0
    # A heuristic never claims certainty: 0.5 for a coin toss, at most 0.85.
    confidence = round(min(0.85, 0.5 + 0.5 * margin), 2)
    sides = {s: Side.REP if s == rep else Side.PROSPECT for s in speakers}
    return SideAssignment(sides, "heuristic", confidence)
