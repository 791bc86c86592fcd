"""Who is the rep and who is the prospect.

In order of trust: names the user gives (--rep, --prospect), names of known
users of the team, sides the source declares (Gong affiliation), and a
heuristic. The heuristic scores each speaker on what sellers typically do —
open the call, ask the discovery questions, talk about "our product", set
next steps — and picks the highest as the rep; its confidence grows with
the margin.

Sides are *known* only when they were named, declared or the heuristic is
clear about speakers with real names. With one speaker, with only generic
labels ("Speaker 0", "SPEAKER_01", "Channel 1") or with a coin-toss margin,
the guess is still shown, but benchmarks that depend on who is the rep are
not graded: the user is told the speakers are not labelled and how to name
them.
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


# Labels recognisers give when they do not know who spoke.
_GENERIC = re.compile(
    r"^(?:(?:speaker|spk|channel|participant|unknown speaker|unknown|guest|person|voice)(?:[\s_-]*(?:\d+|[a-z]))?"
    r"|\d+|[a-z])$", re.IGNORECASE)
KNOWN_METHODS = frozenset({"named", "known_users", "declared", "heuristic"})
UNDECIDED_BELOW = 0.6  # heuristic confidence under which the sides count as unknown
_HOW_TO_NAME = "name the rep with --rep (or --prospect), or correct the call's sides"


@dataclass(frozen=True, slots=True)
class SideAssignment:
    sides: dict[str, Side]
    # "named", "known_users", "declared", "heuristic" (known); "single_speaker",
    # "unlabelled", "undecided" (not known: side-dependent benchmarks are not graded)
    method: str
    confidence: float

    @property
    def known(self) -> bool:
        return self.method in KNOWN_METHODS

    @property
    def reason(self) -> str:
        """Why side-dependent figures are not graded ("" when the sides are known)."""
        why = {"single_speaker": "the file has one speaker",
               "unlabelled": "the speakers have generic labels, not names",
               "undecided": "the rep and the prospect could not be told apart"}.get(self.method)
        return f"speakers not labelled: {why}; {_HOW_TO_NAME}" if why else ""


def is_generic(label: str) -> bool:
    return bool(_GENERIC.match(label.strip()))


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
    prospects: Iterable[str] = (),
) -> SideAssignment:
    speakers = transcript.speakers
    named = _named(speakers, tuple(reps), tuple(prospects))
    if named is not None:
        return named
    known = tuple(known_reps)
    if known and any(_matches(s, known) for s in speakers):
        return SideAssignment({s: Side.REP if _matches(s, known) else Side.PROSPECT for s in speakers},
                              "known_users", 0.95)
    declared = transcript.declared_sides
    if declared and any(side is Side.REP for side in declared.values()):
        sides = {s: declared.get(s, Side.PROSPECT) for s in speakers}
        return SideAssignment(sides, "declared", 0.9)
    if len(speakers) < 2:
        return SideAssignment({s: Side.UNKNOWN for s in speakers}, "single_speaker", 0.0)
    guess = _heuristic(speakers, units)
    if all(is_generic(s) for s in speakers):
        return SideAssignment(guess.sides, "unlabelled", min(guess.confidence, 0.5))
    if guess.confidence < UNDECIDED_BELOW:
        return SideAssignment(guess.sides, "undecided", guess.confidence)
    return guess


def _named(speakers: list[str], reps: tuple[str, ...], prospects: tuple[str, ...]) -> SideAssignment | None:
    """Sides the user gave: named reps and prospects; everyone else is on the other side."""
    if not any(_matches(s, reps) or _matches(s, prospects) for s in speakers):
        return None
    default = Side.PROSPECT if any(_matches(s, reps) for s in speakers) else Side.REP
    sides = {s: Side.REP if _matches(s, reps) else Side.PROSPECT if _matches(s, prospects) else default
             for s in speakers}
    return SideAssignment(sides, "named", 1.0)


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
