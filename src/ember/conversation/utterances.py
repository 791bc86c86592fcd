"""Sentences with speaker, side, time and question flag: what detectors read.

A segment from a punctuating recogniser can hold several sentences, and a
sentence can run over several segments (recorders cut cues every line or
two, wherever the words fall). In a punctuated transcript the segments of one
speaker are joined while a sentence is unfinished, then split into
sentences; each sentence gets start and end times interpolated by character
position over the segments it spans. Unpunctuated segments stay whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ember.conversation.boundaries import cut_by_length, sentence_ends
from ember.conversation.questions import contexts, is_punctuated, is_question
from ember.conversation.text import sentences
from ember.conversation.transcript import Segment

# A sentence left open at the end of a cue goes on in the same speaker's next
# cue when it starts within this many seconds.
CONTINUATION_GAP_S = 2.0
_CLOSERS = ".?!…"


@dataclass(frozen=True, slots=True)
class Utterance:
    speaker: str
    start: float
    end: float
    text: str
    segment: int  # index into Transcript.segments (where the sentence starts)
    question: bool = False


@dataclass(slots=True)
class _Block:
    """Consecutive segments of one speaker joined into one text."""

    speaker: str
    text: str
    # (character offset in text, segment index) for each joined segment.
    parts: list[tuple[int, int]]


def _unfinished(text: str) -> bool:
    return not text.rstrip(" \"'”’)").endswith(tuple(_CLOSERS))


def _continues(previous: Segment, seg: Segment) -> bool:
    return (previous.speaker == seg.speaker
            and seg.start - previous.end <= CONTINUATION_GAP_S)


def _blocks(segments: Sequence[Segment], punctuated: bool) -> list[_Block]:
    """Segments joined while one speaker goes on: in a punctuated transcript
    while a sentence is open, in an unpunctuated one whatever the words."""
    blocks: list[_Block] = []
    for index, seg in enumerate(segments):
        text = seg.text.strip()
        last = blocks[-1] if blocks else None
        if (last is not None and _continues(segments[last.parts[-1][1]], seg)
                and (not punctuated or _unfinished(last.text))):
            last.parts.append((len(last.text) + 1, index))
            last.text = f"{last.text} {text}"
        else:
            blocks.append(_Block(seg.speaker, text, [(0, index)]))
    return blocks


def _time_at(block: _Block, segments: Sequence[Segment], position: int) -> tuple[float, int]:
    """(seconds, segment index) at a character position of the block's text."""
    offset, index = block.parts[0]
    if len(block.parts) == 1:  # most blocks are one segment
        seg = segments[index]
        share = min(1.0, max(0.0, position / max(1, len(block.text))))
        return seg.start + seg.duration * share, index
    for start, candidate in block.parts:
        if start <= position:
            offset, index = start, candidate
    seg = segments[index]
    length = max(1, len(seg.text.strip()))
    share = min(1.0, max(0.0, (position - offset) / length))
    return seg.start + seg.duration * share, index


def _unpunctuated_sentences(block: _Block) -> list[str]:
    """The block's text cut where the boundary model ends a sentence."""
    tokens = block.text.split()
    # (start, end) character span of every word in the block's text.
    spans, position = [], 0
    for token in tokens:
        position = block.text.find(token, position)
        spans.append((position, position + len(token)))
        position += len(token)
    # A joined segment starting at a word means the word before ends a cue.
    starts = {offset for offset, _ in block.parts[1:]}
    edges = frozenset(index - 1 for index, (begin, _) in enumerate(spans)
                      if index and begin in starts)
    plain = [token.lower().strip(",;:\"'") for token in tokens]
    marked = frozenset(index for index, token in enumerate(plain) if token.endswith(tuple(_CLOSERS)))
    plain = [token.rstrip(_CLOSERS) for token in plain]
    found, first = [], 0
    for last in sentence_ends(plain, edges, marked):
        found.append(block.text[spans[first][0] : spans[last][1]])
        first = last + 1
    return found


def split_segments(segments: Sequence[Segment]) -> list[Utterance]:
    """Sentence-level units, without question flags yet."""
    punctuated = is_punctuated([seg.text for seg in segments])
    # Unpunctuated cues are re-cut into sentences only when the recorder cut
    # them by length; cues cut at sentence ends (a dialogue act each) stay.
    recut = not punctuated and cut_by_length(
        [(a.text, b.text) for a, b in pairwise(segments) if _continues(a, b)])
    units: list[Utterance] = []
    blocks = _blocks(segments, punctuated) if punctuated or recut else [
        _Block(seg.speaker, seg.text.strip(), [(0, index)]) for index, seg in enumerate(segments)]
    for block in blocks:
        offset = 0
        if punctuated:
            found = sentences(block.text)
        else:
            found = _unpunctuated_sentences(block) if recut else sentences(block.text)
        for part in found:
            position = max(0, block.text.find(part, offset))
            offset = position + len(part)
            start, index = _time_at(block, segments, position)
            end, _ = _time_at(block, segments, offset)
            units.append(Utterance(block.speaker, start, end, part, index))
    return units


def flag_questions(units: list[Utterance], *, timed: bool = True) -> list[Utterance]:
    """Mark questions, using the neighbouring sentences (and, when `timed`:
    the source has real times, their timing) as context."""
    times = [(u.start, u.end) for u in units] if timed else None
    around = contexts([u.speaker for u in units], [u.text for u in units], times)
    return [
        Utterance(u.speaker, u.start, u.end, u.text, u.segment, is_question(u.text, ctx))
        for u, ctx in zip(units, around, strict=True)
    ]
