"""Commitments and next steps.

A commitment is a sentence in which the speaker undertakes a future action
("I'll send", "let me check", "we're going to") or asks someone else to act
("can you send", "please loop in", "let's meet"). A next step is a
commitment about the deal: it names an action from the next-step
vocabulary or a due date. Owner: the speaker's side for undertakings and
"let's" (the rep books joint meetings), the other side for requests.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from ember.conversation.dates import find_due_phrase, resolve
from ember.conversation.questions import BUCKETS, FeatureWeights, core_tokens_of, sentence_shape
from ember.conversation.text import WORD
from ember.conversation.utterances import Utterance
from ember.vocabulary import NextStepType, Side

# Measured on MRDA: "we can", "you could", "you have to" and bare "i can"
# are mostly descriptions, not undertakings, so they are left out; "I'll"
# and friends count unless a stative verb follows ("we'll see", "I'll be").
_SELF = re.compile(
    r"\b(i'll|i will|i'm going to|i'm gonna|i am going to|we'll|we will|we're going to|"
    r"we're gonna|we are going to|let me|i'd be happy to|happy to|i promise to|"
    r"i can (send|get you|set up|share|do that|forward|introduce|put together))\b"
    r"(?!\s+(?:probably\s+|just\s+|still\s+)?(?:be|have|see|say|know|need|find|never|not|"
    r"guess|bet|admit|tell you)\b)"
)
_ASK = re.compile(
    r"\b(can you|could you|why don't you|please|make sure you|i'd like you to|i want you to|"
    r"would you mind|would you be able to)\b"
    r"(?!\s+(?:see|hear|imagine|believe|tell me (?:about|how|what|why)|explain|describe)\b)"
)
_LETS = re.compile(r"\b(let's|let us)\b")
_IMPERATIVE = re.compile(
    r"^(?:(?:so|and|ok|okay|well|yeah|uh|um|then|now|just)\s+)*(send|take|look|go|put|ask|check|"
    r"try|give|tell|call|email|schedule|set up|forward|share|read|make sure|loop|bring|grab|"
    r"write|fill|sign|book|add|remember|think about|plan|prepare)\b"
)
# Not commitments: reports of the past, hypotheticals, and polite formulas.
_NOT = re.compile(
    r"\b(if i|if we|i'll tell you|i'll be honest|i'll say|let me ask|let me see|"
    r"let me think|let me understand|i can see|i can tell|i can imagine|we can't|i can't|"
    r"you can't|i will say|let me just say|you'll notice|you'll see|let's (get started|"
    r"dive in|jump in|begin|start|see)|let me (start|begin))\b"
)

_TYPES: tuple[tuple[NextStepType, re.Pattern[str]], ...] = (
    (NextStepType.INTRODUCTION, re.compile(
        r"\b(introduc\w*|intro|loop (in|him|her|them)|bring in|connect you|cc|copy in|"
        r"invite (our|my|your|the) (cfo|cto|ceo|vp|head|boss|manager|team|lead|director)|"
        r"(our|my|your) (cfo|cto|ceo|it team|security team|head of \w+) (to|on) the)\b")),
    (NextStepType.AUTHORITY, re.compile(
        r"\b(sign off|sign-off|approv\w*|final say|signature|who signs|decision maker|"
        r"run it by|buy-in|budget holder|get the green light|check with (my|our) "
        r"(boss|cfo|ceo|vp|manager|director|procurement|legal))\b")),
    (NextStepType.DEMO, re.compile(
        r"\b(demo|walkthrough|walk you through|show you|trial|sandbox|pilot|proof of concept|"
        r"poc)\b")),
    (NextStepType.DOCUMENTS, re.compile(
        r"\b(deck|proposal|contract|pricing sheet|price sheet|quote|case stud\w*|document\w*|"
        r"docs?|slides|one-pager|sow|statement of work|recording|summary|spec\w*|"
        r"questionnaire|white ?paper|link|attach\w*|share)\b")),
    (NextStepType.MEETING, re.compile(
        r"\b(meet|meeting|call|schedule|calendar|invite|book|sync|catch up|follow-up|"
        r"follow up call|talk (again|next)|get together|session|reconvene)\b")),
    (NextStepType.EMAIL, re.compile(r"\b(email|e-mail|send you a note|write to|reply|get back to)\b")),
)
_ACTION = re.compile(
    r"\b(send|share|forward|email|schedule|set up|book|meet|call|demo|show|introduc\w*|loop|"
    r"invite|follow up|get back|check with|confirm|review|sign|draft|prepare|put together|"
    r"talk to|run it by|circle back with|reach out|walk|connect)\b"
)


MODEL_FILE = "commitment_model.json"


@dataclass(frozen=True, slots=True)
class NextStep:
    type: NextStepType
    owner: Side | None
    due: datetime | None
    due_has_time: bool
    due_phrase: str | None
    quote: str
    start_s: float
    speaker: str


# Words without which none of the patterns above can match: one cheap search
# rules out most sentences of a call.
_TRIGGER = re.compile(
    r"\b(i'll|i will|i'm|i am|we'll|we will|we're|we are|let|let's|happy|i'd|i can|you|please)\b"
)


def rule_kind(text: str) -> str | None:
    """The rules alone: "self", "ask" or "lets" when the sentence commits someone."""
    return _rule_kind(text.lower().replace("’", "'"))


def _rule_kind(lowered: str) -> str | None:
    return _rules(lowered)[0]


def _rules(lowered: str) -> tuple[str | None, bool, bool | None]:
    """(rule kind, imperative found, "not" pattern found or None when not looked for)."""
    imperative = _IMPERATIVE.search(lowered) is not None
    if not imperative and not _TRIGGER.search(lowered):
        return None, imperative, None
    if _NOT.search(lowered):
        return None, imperative, True
    if _LETS.search(lowered):
        return "lets", imperative, False
    if _SELF.search(lowered):
        return "self", imperative, False
    if imperative or _ASK.search(lowered):
        return "ask", imperative, False
    return None, imperative, False


def commitment_features(text: str) -> list[str]:
    """Feature names for the commitment model: rule verdicts, edge words, n-grams."""
    lowered = text.lower().replace("’", "'")
    raw = WORD.findall(lowered)
    return _features(lowered, core_tokens_of(raw) or raw, _rules(lowered))


def _features(
    lowered: str, tokens: Sequence[str], rules: tuple[str | None, bool, bool | None]
) -> list[str]:
    """`tokens`: the words after leading markers and fillers (all the words
    when nothing else is left; none when there are no words)."""
    kind, imperative, negated = rules
    feats = ["bias", f"kind:{kind}"]
    if not tokens:
        return [*feats, "empty"]
    if negated or (negated is None and _NOT.search(lowered)):
        feats.append("not")
    if imperative:
        feats.append("imperative")
    feats.append(f"len:{min(len(tokens), 12)}")
    feats.append("first:" + tokens[0])
    feats.append("first2:" + " ".join(tokens[:2]))
    feats.append("first3:" + " ".join(tokens[:3]))
    feats.append("last:" + tokens[-1])
    feats.append("last2:" + " ".join(tokens[-2:]))
    head = tokens[:25]
    feats += ["w:" + t for t in head]
    feats += ["b:" + a + " " + b for a, b in pairwise(head)]
    return feats


# Words at least one of which is in every sentence the model can accept: a
# future or undertaking ("I'll", "going", "let's"), a request ("you",
# "please", "could", "why don't") or an action verb ("send", "talk", "look",
# "go ahead"). A sentence without any of them is not scored. Measured with
# the packaged model: of its hits, this drops none in the validation and
# held-out files and 5 of 188,000 training sentences (lab talk such as "build
# a system that classifies..."), while two sentences in three of a meeting or
# phone call skip the model.
MODEL_CUES = frozenset(
    [
        "i'll", "we'll", "you'll", "he'll", "she'll", "they'll", "it'll", "will", "won't",
        "going", "gonna", "let", "let's", "shall", "i'd", "we'd", "happy", "promise", "plan",
        "planning", "please", "you", "your", "you're", "can", "could", "would", "why", "should",
        "shouldn't", "need", "needs", "must", "want", "wanna", "go", "ahead", "wait", "hang",
        "try", "send", "tell", "talk", "look", "put", "take", "fill", "read", "check", "call",
        "email", "mail", "schedule", "set", "forward", "share", "give", "bring", "ask", "keep",
        "remember", "start", "stop", "continue", "move", "write", "sign", "book", "add", "do",
        "don't", "get", "come", "turn", "leave", "switch", "make", "show", "run", "meet",
        "discuss", "think", "loop", "grab", "prepare", "cc",
    ]
)


@lru_cache(maxsize=1)
def _model() -> tuple[FeatureWeights, float] | None:
    try:
        raw = resources.files("ember.conversation").joinpath(MODEL_FILE).read_text()
    except (FileNotFoundError, OSError):
        return None
    data = json.loads(raw)
    if data.get("buckets") != BUCKETS or len(data["weights"]) != BUCKETS:
        return None
    threshold = float(data["threshold"])
    return FeatureWeights(data["weights"]), math.log(threshold / (1.0 - threshold))


def commitment_score(text: str) -> float | None:
    """The model's log-odds that the sentence is a commitment or directive
    (None without the packaged model)."""
    model = _model()
    if model is None:
        return None
    return sum(map(model[0].__getitem__, commitment_features(text)))


def names_deal_step(text: str) -> bool:
    """The sentence names a deal action (send, schedule, demo...) or a date."""
    return bool(_ACTION.search(text.lower())) or _due_phrase(text) is not None


# A sentence that commits someone is looked at twice (names_deal_step, then
# extract_next_steps): find its date words once.
_due_phrase = lru_cache(maxsize=1024)(find_due_phrase)


@lru_cache(maxsize=8192)
def commitment_kind(text: str) -> str | None:
    """"self", "ask" or "lets" when the sentence commits someone; else None.

    Either the rules find an undertaking or request that names a deal step
    ("I'll send the deck", "can you loop in your CFO"), or the trained model
    says the speaker commits to or asks for an action. The kind of the
    latter is the rules' when they have one, else "self" when the sentence
    starts with "I"/"we" and "ask" otherwise.
    """
    lowered = text.lower().replace("’", "'")
    rules = _rules(lowered)
    kind = rules[0]
    if kind is not None and names_deal_step(text):
        return kind
    model = _model()
    if model is None:
        return kind
    # The question detector has already split this sentence into words.
    core, _, first_two, _ = sentence_shape(text)
    # No cue word is a filler or a leading marker, so the core words hold
    # the same cue words as all the words (and are not empty when they do).
    if MODEL_CUES.isdisjoint(core):
        return None
    if sum(map(model[0].__getitem__, _features(lowered, core, rules))) < model[1]:
        return None
    if kind is not None:
        return kind
    return "self" if first_two[0] in ("i", "we", "i'll", "we'll", "i'm", "we're") else "ask"


def is_commitment(text: str) -> bool:
    """Commit or directive, as the accuracy benchmark measures it."""
    return commitment_kind(text) is not None


def classify_type(text: str) -> NextStepType:
    lowered = text.lower()
    for kind, pattern in _TYPES:
        if pattern.search(lowered):
            return kind
    return NextStepType.OTHER


def extract_next_steps(
    units: list[Utterance], sides: dict[str, Side], call_date: datetime
) -> list[NextStep]:
    steps: list[NextStep] = []
    for unit in units:
        kind = commitment_kind(unit.text)
        if kind is None:
            continue
        phrase = _due_phrase(unit.text)
        if phrase is None and not _ACTION.search(unit.text.lower()):
            continue
        due, has_time = resolve(phrase, call_date) if phrase else (None, False)
        steps.append(
            NextStep(
                type=classify_type(unit.text),
                owner=_owner(kind, sides.get(unit.speaker)),
                due=due,
                due_has_time=has_time,
                due_phrase=phrase,
                quote=unit.text,
                start_s=round(unit.start, 2),
                speaker=unit.speaker,
            )
        )
    return steps


def _owner(kind: str, speaker_side: Side | None) -> Side | None:
    if speaker_side is None:
        return None
    if kind == "lets":
        return Side.REP
    if kind == "self":
        return speaker_side
    return Side.PROSPECT if speaker_side is Side.REP else Side.REP
