"""Small text helpers shared by the detectors: words, sentences, backchannels."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")
# A title's full stop ends no sentence: "a session with Mrs. Adler".
_SENTENCE_END = re.compile(r"(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bMrs\.)(?<!\bProf\.)(?<=[.!?])\s+")

# Listener noises that acknowledge without taking the floor. A segment made
# only of these (and short) does not interrupt the other speaker's monologue.
BACKCHANNEL_WORDS = frozenset(
    [
        "mm",
        "mhm",
        "mm-hmm",
        "mmhmm",
        "hmm",
        "hm",
        "uh-huh",
        "uhhuh",
        "uh",
        "huh",
        "um",
        "yeah",
        "yep",
        "yes",
        "yup",
        "right",
        "ok",
        "okay",
        "sure",
        "got",
        "it",
        "i",
        "see",
        "wow",
        "oh",
        "ah",
        "nice",
        "great",
        "cool",
        "exactly",
        "totally",
        "absolutely",
        "true",
        "interesting",
        "makes",
        "sense",
        "gotcha",
        "no",
        "kidding",
        "really",
        "alright",
        "all",
    ]
)
# Fillers carry no meaning for detection rules.
FILLERS = frozenset({"uh", "um", "er", "erm", "ah", "hmm", "mm", "like"})


def words(text: str) -> list[str]:
    """Lower-case word tokens, apostrophes kept ("don't", "what's")."""
    return WORD.findall(text.lower().replace("’", "'"))


def sentences(text: str) -> list[str]:
    """Split punctuated text into sentences; unpunctuated text stays whole."""
    if "." not in text and "?" not in text and "!" not in text:
        whole = text.strip()  # speech-recogniser text without punctuation
        return [whole] if whole else []
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if p]


def is_backchannel(text: str, duration: float, max_seconds: float = 2.0) -> bool:
    """A short listener response such as "mm-hmm", "yeah", "right"."""
    if duration >= max_seconds:
        return False
    tokens = text.lower().replace("-", " ").replace(",", " ").replace(".", " ").split()
    tokens = [t.strip("?!") for t in tokens]
    return 0 < len(tokens) <= 3 and all(
        t in BACKCHANNEL_WORDS or t.replace(" ", "-") in BACKCHANNEL_WORDS for t in tokens
    )


def contains_any(text: str, phrases: tuple[str, ...]) -> str | None:
    """The first phrase found in the lower-cased text, if any."""
    lowered = text.lower()
    for phrase in phrases:
        if phrase in lowered:
            return phrase
    return None


def edge_features(tokens: Sequence[str], *, last3: bool = False) -> list[str]:
    """Model features of a sentence's words: its first one to three and last
    two (or three) words, every word and word pair of its first 25."""
    feats = ["first:" + tokens[0], "first2:" + " ".join(tokens[:2]),
             "first3:" + " ".join(tokens[:3]), "last:" + tokens[-1],
             "last2:" + " ".join(tokens[-2:])]
    if last3:
        feats.append("last3:" + " ".join(tokens[-3:]))
    head = tokens[:25]
    feats += ["w:" + t for t in head]
    feats += ["b:" + a + " " + b for a, b in pairwise(head)]
    return feats
