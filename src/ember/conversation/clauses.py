"""Sentences as commitments are read in calls without punctuation.

A recogniser that writes no punctuation cuts its cues by length, and the
sentence-end model (ember.conversation.boundaries) finds most sentence ends
again, but not all: an undertaking can run on from the sentence before it
("july works gonna ping you first week of july", "with a monthly minimum
i'll send you the price sheet after the call", "you requested a demo on our
site happy to help"), and a sentence can be cut after a word that never ends
one ("i shall | have our contracts team amend schedule four", "i'll draft
wording for that | and send it to your counsel"). Read whole, a run-on
sentence dates or types the undertaking by the words of another sentence, and
a cut one loses its subject. So, for the commitment and next-step reading
only, sentences cut after such a word are joined again, and a sentence is cut
before the words that open an undertaking. The call's other measures (the
questions above all) keep the sentences as they were.

Calls whose cues are sentences already (a dialogue act each, as meeting
corpora give them) are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from ember.conversation.boundaries import cut_by_length
from ember.conversation.questions import is_punctuated
from ember.conversation.transcript import Segment
from ember.conversation.utterances import CONTINUATION_GAP_S, Utterance

_PUNCTUATION = re.compile(r"[.?!,;:]")
# Words after which no sentence ends: a subject, an auxiliary still waiting
# for its verb, an article, a preposition ("i shall | have", "we wanna | do").
_OPEN_END = frozenset(
    [
        "i", "we", "you", "i'll", "we'll", "i'd", "we'd", "shall", "will", "would", "can", "could",
        "should", "must", "wanna", "gonna", "going", "to", "the", "a", "an", "my", "our", "your", "their",
        "and", "or", "but", "of", "with", "for", "at", "by", "from", "in", "on", "about", "as", "that",
        "i'm", "we're", "let", "let's", "please"
    ]
)
# A sentence that goes on without a subject of its own: "and send it to your
# counsel by wednesday" after "i'll draft wording for that".
_CONTINUATION = re.compile(
    r"^(?:and|and then|then|plus) (?:send|share|forward|get|email|set|book|schedule|put|"
    r"loop|copy|cc|add|call|include|attach|circulate|update|return)\b"
)
# Words that open an undertaking, an offer or a request when they start a
# sentence of their own. Not after words that make them part of the sentence
# before ("which i'll", "that you'll", "i'm gonna", "so happy to").
_OPENER = re.compile(
    r"^(?:i'll|i will|i shall|we'll|we will|we shall|i'm going to|i'm gonna|we're going to|"
    r"we're gonna|gonna|let me|expect (?:a|an|the|my|our|it)|happy to|sending|"
    r"can you|could you|would you|please)\b"
)
_EMBEDDING = frozenset(
    [
        "which", "that", "what", "who", "whom", "whose", "where", "when", "if", "whether", "because",
        "since", "once", "so", "as", "than", "and", "or", "but", "i'm", "we're", "you're", "they're",
        "he's", "she's", "it's", "is", "are", "was", "were", "am", "be", "been", "not", "very", "really",
        "more", "just", "also", "i", "we", "you", "they", "he", "she", "it", "don't", "doesn't", "didn't",
        "won't", "wouldn't", "can't", "couldn't", "do", "does", "did", "will", "would", "can", "could",
        "should", "might", "may", "to", "i'd", "we'd"
    ]
)
_CONDITION = frozenset({"if", "unless", "whether", "once", "when", "whenever", "until", "till"})
MIN_BEFORE, MIN_WORDS = 2, 3  # words before a cut ("july works | gonna ping you"), after it


def _recut(segments: Sequence[Segment], units: Sequence[Utterance]) -> bool:
    """The call is unpunctuated and its cues were cut by length (as
    ember.conversation.utterances decides it)."""
    if is_punctuated([seg.text for seg in segments]):
        return False
    return cut_by_length([(a.text, b.text) for a, b in pairwise(segments)
                          if a.speaker == b.speaker and b.start - a.end <= CONTINUATION_GAP_S])


def _joins(first: Utterance, second: Utterance) -> bool:
    if first.speaker != second.speaker or second.start - first.end > CONTINUATION_GAP_S:
        return False
    if _PUNCTUATION.search(first.text) or _PUNCTUATION.search(second.text):
        return False
    last = first.text.split()[-1].lower() if first.text.split() else ""
    return last in _OPEN_END or _CONTINUATION.match(second.text.lower()) is not None


def _joined(units: Sequence[Utterance]) -> list[Utterance]:
    found: list[Utterance] = []
    for unit in units:
        if found and _joins(found[-1], unit):
            last = found[-1]
            found[-1] = Utterance(last.speaker, last.start, unit.end, f"{last.text} {unit.text}",
                                  last.segment, last.question or unit.question)
        else:
            found.append(unit)
    return found


def _cuts(words: Sequence[str]) -> list[int]:
    """Indices of the words that start a new sentence inside an unpunctuated one."""
    cuts = []
    last_cut = 0
    lowered = [w.lower() for w in words]
    for index in range(MIN_BEFORE, len(words) - MIN_WORDS + 1):
        if index - last_cut < MIN_BEFORE or lowered[index - 1] in _EMBEDDING:
            continue
        # "if things change i'll reach out": the condition belongs to it.
        if _CONDITION.isdisjoint(lowered[max(last_cut, index - 6) : index]) and _OPENER.match(
                " ".join(lowered[index : index + 4])):
            cuts.append(index)
            last_cut = index
    return cuts


def _cut(unit: Utterance) -> list[Utterance]:
    if _PUNCTUATION.search(unit.text):
        return [unit]
    words = unit.text.split()
    cuts = _cuts(words)
    if not cuts:
        return [unit]
    pieces = []
    length = max(1, len(unit.text))
    position = 0
    bounds = [0, *cuts, len(words)]
    for begin, end in pairwise(bounds):
        text = " ".join(words[begin:end])
        start = unit.start + (unit.end - unit.start) * position / length
        position += len(text) + 1
        finish = unit.start + (unit.end - unit.start) * min(1.0, (position - 1) / length)
        pieces.append(Utterance(unit.speaker, round(start, 3), round(finish, 3), text,
                                unit.segment, unit.question and end == len(words)))
    return pieces


def commitment_units(segments: Sequence[Segment], units: Sequence[Utterance]) -> list[Utterance]:
    """The call's sentences as the commitment and next-step reading takes them."""
    if not units or not _recut(segments, units):
        return list(units)
    return [piece for unit in _joined(units) for piece in _cut(unit)]
