"""Decision-role evidence per prospect speaker.

Roles come from what people say about themselves and their process: "I
sign off on this" (decision maker), "I'll recommend it to our VP"
(influencer), "I was asked to look into options" (info gatherer), "my team
would use it every day" (end user), "I'll push for this internally"
(champion). A speaker's role is the one with the most evidence; with none it
is unknown.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ember.conversation.utterances import Utterance
from ember.vocabulary import DecisionRole, Side

CUES: tuple[tuple[DecisionRole, re.Pattern[str]], ...] = (
    (DecisionRole.DECISION_MAKER, re.compile(
        r"\b(i (make|made) the (call|decision)|(it's|it is) my (call|decision)|i sign off|"
        r"i'll sign|i sign the|i have the final say|i own the budget|my budget|i approve|"
        r"i can approve|i decide|i'm the one who decides|i'm the decision maker)\b")),
    (DecisionRole.CHAMPION, re.compile(
        r"\b(i'll push for|i'll champion|i'll sell (it|this) internally|i'll make the case|"
        r"i'll fight for|i'm a big fan|i'll advocate|i'll get (them|everyone) on board)\b")),
    (DecisionRole.INFLUENCER, re.compile(
        r"\b(i'll recommend|i would recommend|i'd recommend|i will recommend|my recommendation|"
        r"i'll bring (it|this) to|i'll present (it|this) to|"
        r"(my boss|our (cfo|ceo|cto|vp|director|head)\b[\w ]{0,25}) (will|would|has to|makes|"
        r"decides|owns)|"
        r"it's (up to|his call|her call)|i have a say|i'll put in a good word|i advise)\b")),
    (DecisionRole.INFO_GATHERER, re.compile(
        r"\b(i was asked to (look|research|find)|(just )?gathering (information|info)|"
        r"just researching|put together a (shortlist|short list|comparison)|report back|"
        r"pass (it|this) (on|along)|looking into options|doing some research)\b")),
    (DecisionRole.END_USER, re.compile(
        r"\b(i use|i'd be using|i would be using|i'll be using|my team uses|we use (it|this) "
        r"every day|day to day|day-to-day|in my daily|i work in the|hands-on)\b")),
)


# All cues in one pattern: one search rules out most sentences.
_ANY_CUE = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in CUES))


@dataclass(frozen=True, slots=True)
class RoleEvidence:
    speaker: str
    role: DecisionRole
    quote: str
    start_s: float


@dataclass(frozen=True, slots=True)
class ProspectRole:
    speaker: str
    role: DecisionRole
    quote: str | None
    start_s: float | None
    evidence: tuple[RoleEvidence, ...]


def prospect_roles(units: list[Utterance], sides: dict[str, Side]) -> list[ProspectRole]:
    found: dict[str, list[RoleEvidence]] = {
        s: [] for s, side in sides.items() if side is Side.PROSPECT
    }
    for unit in units:
        if unit.speaker not in found:
            continue
        lowered = unit.text.lower().replace("’", "'")
        if not _ANY_CUE.search(lowered):
            continue
        for role, pattern in CUES:
            if pattern.search(lowered):
                found[unit.speaker].append(
                    RoleEvidence(unit.speaker, role, unit.text, round(unit.start, 2))
                )
    result: list[ProspectRole] = []
    for speaker, evidence in found.items():
        if not evidence:
            result.append(ProspectRole(speaker, DecisionRole.UNKNOWN, None, None, ()))
            continue
        # Most evidence wins; on a tie the earlier cue in CUES (stronger role).
        order = [role for role, _ in CUES]
        counts = Counter(e.role for e in evidence)
        best = min(counts, key=lambda r: (-counts[r], order.index(r)))
        first = next(e for e in evidence if e.role is best)
        result.append(ProspectRole(speaker, best, first.quote, first.start_s, tuple(evidence)))
    return result
