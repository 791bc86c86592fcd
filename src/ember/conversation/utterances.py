"""Sentences with speaker, side, time and question flag: what detectors read.

A segment from a punctuating recogniser can hold several sentences; each is
judged on its own, with a start time interpolated by character position.
Caption files often cut one sentence over two cues ("so how many reps" /
"do you have today?"): a speaker's cues are joined before splitting, so a
question is counted once. Unpunctuated segments stay whole.
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


_FINAL = (".", "?", "!", "…", "。", "？", "！")
# Cues of one speaker this close together may cut one sentence in two.
JOIN_GAP_S = 2.0


def _runs(segments: tuple[Segment, ...]) -> list[list[int]]:
    """Indexes of segments to read as one text: a speaker's consecutive cues are joined
    when the earlier one stops mid-sentence. Only for punctuated sources: where nothing
    ends in a full stop, every cue is its own unit."""
    punctuated = sum(seg.text.rstrip().endswith(_FINAL) for seg in segments) >= max(1, len(segments) // 4)
    runs: list[list[int]] = []
    for index, seg in enumerate(segments):
        if runs and punctuated:
            last = segments[runs[-1][-1]]
            if (last.speaker == seg.speaker and not last.text.rstrip().endswith(_FINAL)
                    and 0 <= seg.start - last.end <= JOIN_GAP_S):
                runs[-1].append(index)
                continue
        runs.append([index])
    return runs


def _run_text(segments: tuple[Segment, ...], run: list[int]) -> tuple[str, list[tuple[int, int]]]:
    """The joined text, and (end position in that text, segment index) for each segment."""
    text, marks = "", []
    for index in run:
        text = f"{text} {segments[index].text}" if text else segments[index].text
        marks.append((len(text), index))
    return text, marks


def _time_at(segments: tuple[Segment, ...], marks: list[tuple[int, int]], position: int) -> tuple[float, int]:
    """Time of a character position in a joined text, interpolated within its segment."""
    begin = 0
    for end, index in marks:
        if position <= end or index == marks[-1][1]:
            seg = segments[index]
            share = (position - begin) / max(1, end - begin)
            return seg.start + seg.duration * min(1.0, max(0.0, share)), index
        begin = end + 1
    return segments[marks[-1][1]].end, marks[-1][1]


def split_segments(segments: tuple[Segment, ...]) -> list[Utterance]:
    """Sentence-level units, without question flags yet. A sentence cut across cues is one unit."""
    units: list[Utterance] = []
    for run in _runs(segments):
        text, marks = _run_text(segments, run)
        offset = 0
        for part in sentences(text):
            position = text.find(part, offset)
            offset = max(offset, position + len(part))
            start, first = _time_at(segments, marks, max(0, position))
            end, _ = _time_at(segments, marks, offset)
            units.append(Utterance(segments[first].speaker, start, end, part, first))
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
