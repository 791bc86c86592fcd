"""Where sentences end in speech written without punctuation.

A recogniser that writes no punctuation still cuts its output into cues,
but by length, not by sentence: "so how does your team book" / "loads today
walk me through a morning". Counting questions per cue then counts the
first half of a question and misses the second. Here the words of one
speaker's consecutive cues are read as one stream and a small logistic
model, trained on telephone calls with their punctuation removed
(scripts/train_question_model.py), says after which words a sentence ends.

A cue edge is evidence of its own: the model need be less sure to end a
sentence there. A question that starts in the middle of a stream ("got it
what would a good outcome look like") is always split off, because a
question's first words (a wh-word, or an auxiliary before its subject)
rarely sit inside another sentence. Pure functions; the weights are
read once from the packaged file.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

MODEL_FILE = "sentence_model.json"
BUCKETS = 1 << 17
# How sure the model must be that a sentence ends after a word: inside a cue
# and at a cue edge. Before words that open a new question a sentence always
# ends (0.01 and 0.002 were tried: each lower value counted the rep's
# questions better). Chosen on the sales development calls (the held-out
# third was not used).
INSIDE = 0.5
AT_CUE_EDGE = 0.4
# A sentence of one word is kept whole with its neighbour ("so", "okay").
MIN_WORDS = 2
# Cues are cut by length, not by sentence, when the model is sure that most
# places where one speaker's cue gives way to their next are not sentence
# ends. Measured: 0.85-1.0 on calls cut every 6-13 words, 0.34-0.47 on
# meetings cut at each dialogue act (MRDA, AMI), so the cut is set between.
CUT_BY_LENGTH_SHARE = 0.7
_SURE_NOT_AN_END = 0.2
# Enough cue edges to judge by, and no more (a long call has thousands).
_EDGES_JUDGED = 200

_WH = frozenset(
    {"what", "what's", "who", "who's", "where", "where's", "when", "why", "how", "how's",
     "how'd", "which"}
)
_WH_AUX = frozenset({"what's", "who's", "where's", "how's", "how'd"})
_AUX = frozenset(
    {"do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will",
     "should", "shall", "have", "has", "don't", "doesn't", "didn't", "isn't", "aren't",
     "can't", "won't", "wouldn't", "couldn't"}
)
_SUBJECT = frozenset({"you", "we", "i", "they", "he", "she", "it", "there", "that", "this",
                      "your", "our"})
# After a wh-word these start a clause inside a sentence ("how you do it",
# "what the impact was"), not a question.
_EMBEDDED = frozenset(
    {"you", "we", "i", "they", "he", "she", "it", "your", "our", "their", "his", "her", "my",
     "its", "the", "a", "an", "this", "that", "these", "those", "i'd", "i'm", "i've", "we'd",
     "we're", "we've", "you're", "you'd", "you've", "they're", "it's", "there's", "he's",
     "she's", "to"}
)
# Words after which a wh-word opens a clause of the same sentence: "can you
# tell me what the impact was", "may i ask how", "she'll tell you what didn't
# go well", "a rep who uses it".
_EMBEDDING = frozenset(
    {"ask", "tell", "know", "wonder", "wondering", "check", "see", "hear", "understand", "show",
     "explain", "decide", "figure", "out", "sure", "about", "on", "is", "was", "me", "you", "us",
     "him", "her", "them", "directly", "exactly", "matter", "matters", "depends", "idea",
     "learn", "discuss", "confirm", "remember", "guess", "think", "mean", "rep", "person",
     "people", "someone", "anyone", "one", "team", "those", "here's", "that's", "what's",
     "at", "of", "for", "with", "in", "from", "by", "into", "share", "look", "asked"}
)
_EDGE = "<e>"
_FILLERS = frozenset({"um", "uh", "like", "er", "erm", "uh-huh"})
_MODALS = frozenset({"would", "could", "should", "will", "can", "shall", "might", "may", "must",
                     "wouldn't", "couldn't", "won't", "can't"})
_DO = frozenset({"do", "does", "did"})
# A modal before a noun phrase has been moved before its subject: "would two
# weeks be enough", "could a short call help", "would thursday work". After
# "do" only words that rarely follow it in a statement ("does next wednesday
# work", not "the team did the demo").
_DAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_NOUN_START = frozenset({"a", "an", "the", "next", "two", "three", "four", "five", "one", "any",
                         "some", "end", "early", "tomorrow", "everyone", "anyone", "my",
                         "their", "his", "her", "its", "both", "all", "either"}) | _DAYS
_DO_NOUN_START = frozenset({"next", "anyone", "anybody", "everyone", "any", "either"}) | _DAYS
# "the plan | is i get...", "ninety | is our default", "the thing | is that...":
# a copula after its subject, not a question.
_COPULA = frozenset({"is", "was", "are", "were"})
_COPULA_STATEMENT = frozenset({"i", "that", "our", "this", "what"})
# After a subject or a modal an auxiliary goes on the same clause ("i'll |
# have it to you", "we can | do that", "the one that | does it"): it does
# not open a question there.
_BEFORE_VERB = frozenset(
    {"i", "we", "you", "they", "he", "she", "it", "i'll", "we'll", "you'll", "they'll", "he'll",
     "she'll", "it'll", "i'd", "we'd", "you'd", "they'd", "he'd", "she'd", "cannot", "not",
     "to", "that", "which", "who", "gonna", "wanna", "let's", "also", "just"}
)


def boundary_features(tokens: Sequence[str], index: int) -> list[str]:
    """Features of the gap after tokens[index]: the two words on each side."""
    def at(position: int) -> str:
        return tokens[position] if 0 <= position < len(tokens) else _EDGE

    before2, before1, after1, after2 = at(index - 1), at(index), at(index + 1), at(index + 2)
    return [
        "bias",
        "a1:" + before1,
        "b1:" + after1,
        f"a2a1:{before2} {before1}",
        f"b1b2:{after1} {after2}",
        f"a1b1:{before1} {after1}",
        f"a1b1b2:{before1} {after1} {after2}",
        f"a2a1b1:{before2} {before1} {after1}",
    ]


def bucket(feature: str) -> int:
    return zlib.crc32(feature.encode()) & (BUCKETS - 1)


@lru_cache(maxsize=1)
def _weights() -> list[float] | None:
    try:
        raw = resources.files("ember.conversation").joinpath(MODEL_FILE).read_text()
    except (FileNotFoundError, OSError):
        return None
    data = json.loads(raw)
    if data.get("buckets") != BUCKETS:
        return None
    weights = [float(value) for value in data["weights"]]
    return weights if len(weights) == BUCKETS else None


@lru_cache(maxsize=65536)
def _feature_weight(feature: str) -> float:
    weights = _weights()
    return weights[bucket(feature)] if weights else 0.0


def boundary_probability(tokens: Sequence[str], index: int) -> float:
    """Probability that a sentence ends after tokens[index] (0 without a model)."""
    if _weights() is None:
        return 0.0
    score = sum(map(_feature_weight, boundary_features(tokens, index)))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


# Words that may come before a question's first words ("and who else...").
_LEADS = frozenset({"and", "so", "but", "or", "okay", "ok", "then", "also", "now", "well"})
# The last word of a tag that ends a statement ("..., is that right").
_TAG_ENDS = frozenset({"right", "correct", "fair", "true", "so", "ok", "okay"})


def cut_by_length(edges: Sequence[tuple[str, str]]) -> bool:
    """Whether a transcript's cues were cut by length rather than at sentence
    ends, judged from (cue text, next cue text) pairs of one speaker. Cues cut
    at sentence ends are kept as they are: re-cutting them only loses the
    segmentation the source got right."""
    judged = sure = 0
    for before, after in edges[:_EDGES_JUDGED]:
        tail, head = before.lower().split()[-2:], after.lower().split()[:2]
        if not tail or not head:
            continue
        judged += 1
        sure += boundary_probability([*tail, *head], len(tail) - 1) < _SURE_NOT_AN_END
    return judged > 0 and sure >= CUT_BY_LENGTH_SHARE * judged


def opens_question(tokens: Sequence[str], index: int, sentence_start: int = 0) -> bool:
    """Whether the words from tokens[index] on start a new question ("what
    would...", "do you...", "which of...", "would two weeks..."), in a
    sentence that began at tokens[sentence_start]. Not: "what we did" and
    "how you do it" (clauses inside a sentence), "tell me what..." (a
    question inside a sentence), "which languages | does your team use"
    (the question goes on), "is it you | or does it go further up" (one
    question with its alternative), "the plan | is i get..." (a copula)."""
    # The word before, past fillers ("maybe i could like | do this again").
    back = index - 1
    while back > 0 and tokens[back] in _FILLERS:
        back -= 1
    before = tokens[back] if back >= 0 else ""
    if tokens[index] == "or" or before == "or":
        return False
    led = tokens[index] in _LEADS and index + 1 < len(tokens)
    if led:
        index += 1
    first = tokens[index]
    second = tokens[index + 1] if index + 1 < len(tokens) else ""
    third = tokens[index + 2] if index + 2 < len(tokens) else ""
    if second == "that" and third in _TAG_ENDS:
        return False  # a tag closes the sentence before it
    if first in _WH:
        # "what's the..." carries its auxiliary: whatever follows, it asks.
        if second in _AUX and (third in _SUBJECT or third in {"the", "a", "an"}):
            return True  # "working for them | what does the team use"
        return before not in _EMBEDDING and (
            first in _WH_AUX or second in _AUX or (second != "" and second not in _EMBEDDED))
    if tokens[sentence_start] in _LEADS and sentence_start + 1 < index:
        sentence_start += 1
    if index - sentence_start <= 3 and tokens[sentence_start] in _WH:
        return False
    if first in _MODALS and second in _NOUN_START:
        return True  # "for that | would two weeks be enough": never a statement
    if not led and (before in _BEFORE_VERB or (before in _MODALS and first not in _MODALS)):
        # "i'll | have it", "we can | do that"; but "i think we can | would she..."
        return False
    if first in _COPULA and second in _COPULA_STATEMENT:
        return False
    return first in _AUX and (second in _SUBJECT or (first in _DO and second in _DO_NOUN_START))


def sentence_ends(
    tokens: Sequence[str], cue_edges: frozenset[int], marked: frozenset[int] = frozenset()
) -> list[int]:
    """Indices of the words after which a sentence ends (the last word
    always does). `cue_edges` holds the indices of words that end a cue,
    `marked` those the transcript itself ends with ".", "?" or "!" (a
    recogniser that punctuates only some sentences is believed where it does)."""
    ends: list[int] = []
    start = 0
    for index in range(len(tokens) - 1):
        if index in marked:
            ends.append(index)
            start = index + 1
            continue
        if index + 1 - start < MIN_WORDS:
            # One word alone ("understood", "fine") still closes before a
            # question ("understood | could we put a check-in in"), unless it
            # leads into it ("so | do you").
            if tokens[start] not in _LEADS and opens_question(tokens, index + 1, start):
                ends.append(index)
                start = index + 1
            continue
        needed = AT_CUE_EDGE if index in cue_edges else INSIDE
        if opens_question(tokens, index + 1, start) or (
                boundary_probability(tokens, index) >= needed):
            ends.append(index)
            start = index + 1
    if tokens:
        ends.append(len(tokens) - 1)
    return ends
