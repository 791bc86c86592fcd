"""Question detection that works on punctuated and unpunctuated speech.

Speech recognisers often drop the question mark, so the decision rests on
the shape of the sentence: a wh-word or an inverted auxiliary at the start
("do you", "is there", "can we"), a tag at the end ("right", "isn't it"),
or a fixed asking phrase ("what about", "how about"). These rules are also
features of a small logistic-regression model trained on public
dialogue-act corpora (scripts/train_question_model.py); the model's weights
ship with the package and are used when present. No I/O beyond reading that
packaged file once.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from ember.conversation.text import FILLERS, words

WH = frozenset(
    {
        "what",
        "what's",
        "whats",
        "who",
        "who's",
        "where",
        "where's",
        "when",
        "why",
        "how",
        "how's",
        "which",
        "whose",
        "whom",
    }
)
AUX = frozenset(
    [
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "would",
        "will",
        "should",
        "shall",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "am",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "can't",
        "couldn't",
        "wouldn't",
        "won't",
        "shouldn't",
        "haven't",
        "hasn't",
    ]
)
SUBJECTS = frozenset(
    [
        "you",
        "we",
        "they",
        "he",
        "she",
        "it",
        "i",
        "there",
        "this",
        "that",
        "these",
        "those",
        "your",
        "our",
        "their",
        "anyone",
        "anybody",
        "someone",
        "everyone",
        "the",
        "a",
        "any",
    ]
)
PRONOUNS = frozenset(["i", "we", "they", "he", "she", "you", "it"])
LEADING = frozenset(
    [
        "so",
        "and",
        "but",
        "well",
        "okay",
        "ok",
        "oh",
        "now",
        "yeah",
        "alright",
        "right",
        "then",
        "also",
        "actually",
        "just",
        "hey",
        "or",
        "and",
        "anyway",
        "uh",
        "um",
        "like",
    ]
)
TAGS = (
    ("right",),
    ("isn't", "it"),
    ("aren't", "they"),
    ("aren't", "you"),
    ("don't", "you"),
    ("doesn't", "it"),
    ("didn't", "you"),
    ("correct",),
    ("or", "not"),
    ("is", "that", "right"),
    ("huh",),
    ("won't", "you"),
    ("wasn't", "it"),
    ("can't", "you"),
    ("yes", "or", "no"),
)
ASKING = (
    "what about",
    "how about",
    "any questions",
    "does that make sense",
    "do you know",
    "can you tell me",
    "could you tell me",
    "i was wondering",
    "i wonder if",
    "would you say",
    "do you think",
    "are you able",
    "is there any",
    "is there a",
    "what if",
    "you know what i",
    "what do you",
    "how do you",
    "how does",
    "how many",
    "how much",
    "how long",
    "who else",
)
# Short reactions that end in "?" but ask nothing ("oh really?").
ECHO = frozenset(
    {
        "really",
        "oh really",
        "yeah",
        "right",
        "oh yeah",
        "is it",
        "oh is it",
        "you do",
        "did you",
        "do you",
        "are you",
        "oh",
        "huh",
        "sorry",
        "pardon",
    }
)
THRESHOLD = 0.5  # held-out F1 is flat from 0.4 to 0.6; 0.5 favours precision
MODEL_FILE = "question_model.json"
BUCKETS = 1 << 16


def core_tokens(text: str) -> list[str]:
    """Words with leading discourse markers and fillers removed."""
    tokens = [t for t in words(text) if t not in FILLERS]
    start = 0
    while start < len(tokens) - 1 and tokens[start] in LEADING:
        start += 1
    return tokens[start:]


_TAG_ENDINGS = tuple(" " + " ".join(tag) for tag in TAGS)
_ASKING = re.compile("|".join(re.escape(phrase) for phrase in ASKING))


def rule_flags(text: str) -> list[str]:
    """Names of the question rules this text triggers (also model features)."""
    return _flags(core_tokens(text), text)


def _flags(tokens: list[str], text: str) -> list[str]:
    flags: list[str] = []
    if not tokens:
        return flags
    lowered = " ".join(tokens)
    first = tokens[0]
    second = tokens[1] if len(tokens) > 1 else ""
    if "?" in text and lowered not in ECHO:
        flags.append("qmark")
    if first in WH and second not in PRONOUNS and len(tokens) > 1:
        flags.append("wh_start")
    if first in WH and second in AUX:
        flags.append("wh_aux")
    if first in AUX and second in SUBJECTS:
        flags.append("aux_inversion")
    if len(tokens) > 1 and (" " + lowered).endswith(_TAG_ENDINGS):
        flags.append("tag_question")
    if _ASKING.search(lowered):
        flags.append("asking_phrase")
    return flags


def rule_says_question(text: str) -> bool:
    """Rules alone, used when no trained model is packaged."""
    return bool(rule_flags(text))


@dataclass(frozen=True, slots=True)
class Context:
    """What surrounds a sentence: a question is usually followed by another
    speaker's answer ("yes", "no", "well"), and a sentence that continues the
    same speaker's turn is less often one."""

    prev_same_speaker: bool | None = None
    # First word of the next sentence when another speaker says it; "" when
    # the same speaker goes on; None at the end of the call.
    next_other_first: str | None = None


def features(text: str, context: Context | None = None) -> list[str]:
    """Feature names for the model: rule flags, edge words, n-grams, length, context."""
    return [*text_features(text), *context_features(text, context)]


def context_features(text: str, context: Context | None) -> list[str]:
    if context is None:
        return []
    nxt = context.next_other_first
    feats = [f"prev_same:{context.prev_same_speaker}",
             "next:" + ("end" if nxt is None else (nxt or "same"))]
    if nxt:
        tokens = core_tokens(text)
        if tokens:
            feats.append(f"first+next:{tokens[0]} {nxt}")
    return feats


def text_features(text: str) -> list[str]:
    tokens = core_tokens(text)
    feats = ["bias", *("rule:" + f for f in _flags(tokens, text))]
    stripped = text.rstrip()
    feats.append("end:" + (stripped[-1] if stripped and stripped[-1] in "?.,-!" else "none"))
    if not tokens:
        return [*feats, "empty"]
    feats.append(f"len:{min(len(tokens), 12)}")
    feats.append("first:" + tokens[0])
    feats.append("first2:" + " ".join(tokens[:2]))
    feats.append("first3:" + " ".join(tokens[:3]))
    feats.append("last:" + tokens[-1])
    feats.append("last2:" + " ".join(tokens[-2:]))
    feats.extend("w:" + t for t in tokens[:25])
    feats.extend("b:" + a + " " + b for a, b in pairwise(tokens[:25]))
    return feats


_BUCKET_CACHE: dict[str, int] = {}


def bucket(feature: str) -> int:
    # crc32 is stable across processes, unlike hash() with its random seed.
    # Words and word pairs recur constantly in speech, so remember them.
    found = _BUCKET_CACHE.get(feature)
    if found is None:
        found = zlib.crc32(feature.encode()) & (BUCKETS - 1)
        if len(_BUCKET_CACHE) < 200_000:
            _BUCKET_CACHE[feature] = found
    return found


@lru_cache(maxsize=1)
def _weights() -> list[float] | None:
    try:
        raw = resources.files("ember.conversation").joinpath(MODEL_FILE).read_text()
    except (FileNotFoundError, OSError):
        return None
    weights = json.loads(raw)["weights"]
    return weights if len(weights) == BUCKETS else None


def question_probability(text: str, context: Context | None = None) -> float:
    """Probability that the sentence is a question (rules only: 0 or 1)."""
    weights = _weights()
    if weights is None:
        return 1.0 if rule_says_question(text) else 0.0
    score = _text_score(text)
    for feature in context_features(text, context):
        score += weights[bucket(feature)]
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


# Tags that only ever ask; a bare "right" is left to the model, because in
# meetings it is far more often agreement than a question.
_SURE_TAGS = ("is that right", "is that correct", "isn't it", "don't you", "or not", "correct")


@lru_cache(maxsize=8192)
def _text_score(text: str) -> float:
    # Short replies ("yeah", "okay", "right") recur all through a call; the
    # part of the score that depends on the text alone is computed once.
    weights = _weights()
    assert weights is not None
    return sum(weights[bucket(feature)] for feature in text_features(text))


def is_question(text: str, context: Context | None = None) -> bool:
    tokens = core_tokens(text)
    if len(tokens) > 3 and " ".join(tokens).endswith(_SURE_TAGS):
        return True
    return question_probability(text, context) >= THRESHOLD
