"""Sentences with speaker, side, time and question flag: what detectors read.

A segment from a punctuating recogniser can hold several sentences; each is
judged on its own, with a start time interpolated by character position.
Unpunctuated segments stay whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from ember.conversation.questions import contexts, is_question
from ember.conversation.text import sentences
from ember.conversation.transcript import Segment


@dataclass(frozen=True, slots=True)
class Utterance:
    speaker: str
    start: float
    end: float
    text: str
    segment: int  # index into Transcript.segments
    question: bool = False


def split_segments(segments: tuple[Segment, ...]) -> list[Utterance]:
    """Sentence-level units, without question flags yet."""
    units: list[Utterance] = []
    for index, seg in enumerate(segments):
        parts = sentences(seg.text)
        total = max(1, len(seg.text))
        offset = 0
        for part in parts:
            position = seg.text.find(part, offset)
            offset = max(offset, position + len(part))
            start = seg.start + seg.duration * max(0, position) / total
            end = seg.start + seg.duration * min(total, offset) / total
            units.append(Utterance(seg.speaker, start, end, part, index))
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
