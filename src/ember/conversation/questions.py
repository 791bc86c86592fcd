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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ember.conversation.text import FILLERS, edge_features, words

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
MODEL_FILE = "question_model.json"
BUCKETS = 1 << 17


def core_tokens(text: str) -> list[str]:
    """Words with leading discourse markers and fillers removed."""
    return core_tokens_of(words(text))


def core_tokens_of(raw: list[str]) -> list[str]:
    tokens = [t for t in raw if t not in FILLERS]
    start = 0
    while start < len(tokens) - 1 and tokens[start] in LEADING:
        start += 1
    return tokens[start:]


_TAG_SUBJECTS = frozenset({"you", "we", "they", "he", "she", "it", "there", "i"})
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
    if len(tokens) > 3 and tokens[-2] in AUX and tokens[-1] in _TAG_SUBJECTS:
        # Any auxiliary tag: "there's a lot, isn't there", "we've got a
        # problem, don't we", "it would be fun, wouldn't it".
        flags.append("aux_tag")
    if _ASKING.search(lowered):
        flags.append("asking_phrase")
    return flags


def rule_says_question(text: str) -> bool:
    """Rules alone, used when no trained model is packaged."""
    return bool(rule_flags(text))


@dataclass(frozen=True, slots=True)
class Context:
    """What surrounds a sentence, all of it known when the call is analysed.

    A question is usually followed by another speaker's answer ("yes", "no",
    "well", "i think"); a sentence in the middle of one speaker's turn is
    less often one; a sentence right after a question is usually an answer.
    """

    prev: str = "start"  # "start", "same" (speaker goes on) or "other"
    next: str = "end"  # "end", "same" or "other"
    # The previous sentence had the shape of a question ("?", wh-word...).
    prev_asked: bool = False
    # The next sentence, by the same speaker, has the shape of a question
    # (a question cut in two: "do you, um, have any," / "any ideas?").
    next_asked: bool = False
    # First two words of the next sentence by another speaker, looked for
    # within REPLY_WINDOW sentences; None when there is none.
    reply: tuple[str, ...] | None = None
    # Whether the transcript is punctuated (chooses the model); None: judge
    # by this sentence alone.
    punctuated: bool | None = None
    # Timing, when the source has real times (None when estimated or absent):
    # how long the sentence lasts, and the pause from its end to the start of
    # the next sentence by another speaker within REPLY_WINDOW (negative:
    # they overlap). A lone rising "right?" is short and answered at once.
    duration: float | None = None
    reply_gap: float | None = None
    # The pause from the end of the previous sentence (anyone's) to this one.
    pause_before: float | None = None


REPLY_WINDOW = 3
_ECHO_PRONOUNS = PRONOUNS | {"that", "there"}
_PUNCT = re.compile(r"[.?!,]")


def is_punctuated(texts: Sequence[str]) -> bool:
    """A transcript counts as punctuated when a fifth of its sentences carry
    punctuation (speech recognisers either punctuate or do not)."""
    if not texts:
        return False
    marked = sum(1 for text in texts if _PUNCT.search(text))
    return marked * 5 >= len(texts)


def contexts(
    speakers: Sequence[str],
    texts: Sequence[str],
    times: Sequence[tuple[float, float]] | None = None,
) -> list[Context]:
    """The Context of each sentence of a call, in order; `times` are the
    sentences' (start, end) in seconds when the source timed them. Timing is
    used for unpunctuated transcripts only: the punctuated model is trained
    on untimed phone calls (SwDA)."""
    punctuated = is_punctuated(texts)
    if punctuated:
        times = None
    count = len(texts)
    shapes = [_shape(text) for text in texts]
    found: list[Context] = []
    for index, speaker in enumerate(speakers):
        if index == 0:
            prev, prev_asked = "start", False
        else:
            prev = "same" if speakers[index - 1] == speaker else "other"
            prev_asked = shapes[index - 1][3]
        nxt, next_asked = "end", False
        if index + 1 < count:
            nxt = "same" if speakers[index + 1] == speaker else "other"
            next_asked = nxt == "same" and shapes[index + 1][3]
        reply: tuple[str, ...] | None = None
        reply_gap: float | None = None
        for later in range(index + 1, min(count, index + 1 + REPLY_WINDOW)):
            if speakers[later] != speaker:
                reply = shapes[later][2]
                if times is not None:
                    reply_gap = times[later][0] - times[index][1]
                break
        if times is None:
            found.append(Context(prev, nxt, prev_asked, next_asked, reply, punctuated))
        else:
            start, end = times[index]
            pause = start - times[index - 1][1] if index else None
            found.append(Context(prev, nxt, prev_asked, next_asked, reply, punctuated,
                                 end - start, reply_gap, pause))
    return found


def _duration_band(seconds: float) -> str:
    return "<0.4" if seconds < 0.4 else "<0.8" if seconds < 0.8 else (
        "<1.5" if seconds < 1.5 else "<3" if seconds < 3 else "3+")


def _gap_band(seconds: float | None) -> str:
    if seconds is None:
        return "none"
    return "overlap" if seconds < -0.1 else "<0.3" if seconds < 0.3 else (
        "<1" if seconds < 1 else "<3" if seconds < 3 else "3+")


def features(text: str, context: Context | None = None) -> list[str]:
    """Feature names for the model: rule flags, edge words, n-grams, length, context."""
    return [*text_features(text), *context_features(text, context)]


def context_features(text: str, context: Context | None) -> list[str]:
    if context is None:
        return ["noctx"]
    tokens, _, _, _ = _shape(text)
    reply = context.reply
    first = tokens[0] if tokens else "-"
    stripped = text.rstrip()
    end = stripped[-1] if stripped and stripped[-1] in "?.,-!" else "none"
    r1 = reply[0] if reply else ("none" if reply is None else "-")
    feats = [
        f"turn:{context.prev}>{context.next}",
        f"prevq:{context.prev}:{context.prev_asked}",
        f"nextq:{context.next_asked}:{end}",
        "r1:" + r1,
        "r2:" + (" ".join(reply) if reply else r1),
        f"f+r:{first} {r1}",
        f"e+r:{end} {r1}:{context.next}",
    ]
    if 0 < len(tokens) <= 3:
        # The shape of a short reply ("you did?", "is it?", "oh, can you?"):
        # auxiliaries (A), pronouns (P) and other words (w), with its end mark
        # and who spoke before; right after the other speaker it is mostly a
        # backchannel ("oh really?"), not a question asked.
        shape = "".join("A" if t in AUX else "P" if t in _ECHO_PRONOUNS else "w" for t in tokens)
        feats.append(f"echo:{shape}:{end}:{context.prev}")
    if context.duration is None:
        return feats
    duration = _duration_band(context.duration)
    gap = _gap_band(context.reply_gap)
    short = len(tokens) <= 2
    feats += [f"dur:{duration}:{short}", f"gap:{gap}:{context.next}",
              f"dur+gap:{duration}:{gap}",
              f"pause:{_gap_band(context.pause_before)}:{context.prev}"]
    if short:
        # The lone "right" / "ok" / "yeah": a question or agreement by timing.
        feats += [f"sw+dur:{first}:{duration}", f"sw+gap:{first}:{gap}",
                  f"sw+r:{first}:{gap}:{r1}"]
    return feats


@lru_cache(maxsize=16384)
def _shape(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]:
    """(core tokens, rule flags, first two raw words, looks like a question)."""
    raw = words(text)
    tokens = core_tokens_of(raw)
    flags = tuple(_flags(tokens, text))
    return tuple(tokens), flags, tuple(raw[:2]), bool(flags)


def sentence_shape(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]:
    """(words after leading markers and fillers, rule flags, first two words,
    looks like a question); computed once per sentence text and shared with
    the commitment detector."""
    return _shape(text)


def text_features(text: str) -> list[str]:
    tokens, flags, raw2, _ = _shape(text)
    feats = ["bias", *("rule:" + f for f in flags)]
    stripped = text.rstrip()
    end = stripped[-1] if stripped and stripped[-1] in "?.,-!" else "none"
    feats.append("end:" + end)
    if "?" in stripped[:-1]:
        feats.append("inner?")
    if not tokens:
        return [*feats, "empty"]
    feats.append(f"len:{min(len(tokens), 12)}")
    feats.append("raw1:" + (raw2[0] if raw2 else "-"))
    # The end mark read together with the sentence's length and opening: a
    # short "oh, you can?" echoes rather than asks; a long "do you ..." asks
    # whether or not the transcriber wrote "?".
    size = min(len(tokens), 6)
    feats.append(f"len+end:{size}:{end}")
    feats.append(f"first+end:{tokens[0]}:{end}")
    feats.append(f"first2+end:{' '.join(tokens[:2])}:{end}")
    feats.append(f"raw1+len+end:{raw2[0] if raw2 else '-'}:{size}:{end}")
    feats += _inner_question(tokens)
    return feats + edge_features(tokens, last3=True)


# Words after which an auxiliary or a wh-word goes on the same clause ("i
# can | do", "tell me | what"), so it opens no question inside the sentence.
_CLAUSE_GOES_ON = frozenset(
    {"i", "we", "you", "they", "he", "she", "it", "i'll", "we'll", "you'll", "i'd", "we'd",
     "you'd", "that", "which", "who", "to", "not", "know", "tell", "ask", "see", "wonder",
     "wondering", "understand", "sure", "about", "is", "was", "me", "us", "them", "him", "her",
     "mean", "think", "guess", "exactly", "matter", "idea", "remember", "explain", "show"}
)
_ASKED_SUBJECTS = frozenset({"you", "we", "i", "they", "there", "your", "he", "she", "it"})


def _inner_question(tokens: Sequence[str]) -> list[str]:
    """A question that starts after other words in an unpunctuated sentence:
    "and the quote can you hold the price", "fatima what prompted the
    search", "so quick question which languages does your team use"."""
    found: list[str] = []
    for index in range(1, len(tokens) - 1):
        word, after, before = tokens[index], tokens[index + 1], tokens[index - 1]
        if before in _CLAUSE_GOES_ON:
            continue
        if word in AUX and after in _ASKED_SUBJECTS:
            found.append("inner:aux+subj")
            found.append(f"inner:aux+subj:{min(index, 4)}")
        elif word in WH and (after in AUX or word.endswith("'s")):
            found.append("inner:wh+aux")
            found.append(f"inner:wh+aux:{min(index, 4)}")
    return found[:2]


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


class FeatureWeights(dict[str, float]):
    """Feature name -> weight of one model, filled on first use.

    Hashing a feature name costs more than looking it up, and the same words
    and word pairs come back in every call, so each name is hashed once; a
    score is then `sum(map(weights.__getitem__, features))`, one C-level loop.
    """

    __slots__ = ("_weights",)
    LIMIT = 200_000

    def __init__(self, weights: Sequence[float]) -> None:
        super().__init__()
        self._weights = weights

    def __missing__(self, feature: str) -> float:
        weight = self._weights[zlib.crc32(feature.encode()) & (BUCKETS - 1)]
        if len(self) >= self.LIMIT:
            self.clear()
        self[feature] = weight
        return weight


@dataclass(frozen=True, slots=True, eq=False)
class _Model:
    weights: FeatureWeights
    threshold: float
    # The threshold as log-odds: score >= cut is probability >= threshold.
    cut: float


@lru_cache(maxsize=1)
def _models() -> dict[str, _Model] | None:
    try:
        raw = resources.files("ember.conversation").joinpath(MODEL_FILE).read_text()
    except (FileNotFoundError, OSError):
        return None
    data = json.loads(raw)
    if data.get("buckets") != BUCKETS:
        return None
    models = {}
    for name, part in data["models"].items():
        threshold = float(part["threshold"])
        models[name] = _Model(
            FeatureWeights(part["weights"]), threshold, math.log(threshold / (1.0 - threshold))
        )
    return models if set(models) == {"punctuated", "plain"} else None


def _model_name(text: str, context: Context | None) -> str:
    punctuated = context.punctuated if context is not None else None
    if punctuated is None:
        punctuated = bool(_PUNCT.search(text))
    return "punctuated" if punctuated else "plain"


def question_probability(text: str, context: Context | None = None) -> float:
    """Probability that the sentence is a question (rules only: 0 or 1)."""
    score = _score(text, context)
    if score is None:
        return 1.0 if rule_says_question(text) else 0.0
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


def _score(text: str, context: Context | None) -> float | None:
    models = _models()
    if models is None:
        return None
    return _score_with(models[_model_name(text, context)], text, context)


def _score_with(model: _Model, text: str, context: Context | None) -> float:
    score = _text_score(text, model)
    # Added one by one, in order, as the training script's sparse rows sum them.
    for weight in map(model.weights.__getitem__, context_features(text, context)):
        score += weight
    return score


# Tags that only ever ask; a bare "right" is left to the model, because in
# meetings it is far more often agreement than a question.
# "I don't know if it's done by a private company or not" asks nothing.
_WHETHER = frozenset({"if", "whether"})
_SURE_TAGS = ("is that right", "is that correct", "isn't it", "don't you", "or not", "correct",
              # Checks a seller closes a summary or a proposal with ("nobody
              # follows up, is that fair", "tuesday at ten, would that work").
              "is that fair", "is that true", "is that okay", "is that ok", "would that work",
              "does that work", "does that sound right", "does that sound good",
              "does that sound fair", "would that be okay")


@lru_cache(maxsize=8192)
def _text_score(text: str, model: _Model) -> float:
    # Short replies ("yeah", "okay", "right") recur all through a call; the
    # part of the score that depends on the text alone is computed once.
    return sum(map(model.weights.__getitem__, text_features(text)))


def is_question(text: str, context: Context | None = None) -> bool:
    tokens = _shape(text)[0]
    if len(tokens) > 3 and " ".join(tokens).endswith(_SURE_TAGS) and not (
            tokens[-1] == "not" and _WHETHER.intersection(tokens)):
        return True
    models = _models()
    if models is None:
        return rule_says_question(text)
    name = _model_name(text, context)
    if name == "plain" and len(tokens) >= 2 and text.rstrip().endswith("?"):
        # A recogniser that writes only some marks ("?" alone) is believed
        # where it writes one; the plain model never saw a "?".
        return True
    model = models[name]
    return _score_with(model, text, context) >= model.cut
