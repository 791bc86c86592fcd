"""Turns from diarised words, for recognisers whose output has words but no utterances.

Deepgram without ``utterances=true`` and AssemblyAI without ``utterances``
give only a flat list of words, each with a speaker. A turn ends where the
speaker changes or where the speaker pauses longer than Deepgram's own
utterance split (0.8 s by default), so silences are not counted as talk and
a speaker's talk time is the time their words actually take.
"""

from __future__ import annotations

from dataclasses import dataclass

from ember.conversation.transcript import Segment

PAUSE_S = 0.8  # Deepgram's default utt_split


@dataclass(frozen=True, slots=True)
class Word:
    speaker: str
    start: float
    end: float
    text: str
    index: int  # position in the source list, for tracing a finding back


def turns_from_words(words: list[Word], pause_s: float = PAUSE_S) -> list[Segment]:
    segments: list[Segment] = []
    current: list[Word] = []
    for word in sorted(words, key=lambda w: (w.start, w.index)):
        if current and (word.speaker != current[-1].speaker or word.start - current[-1].end > pause_s):
            segments.append(_segment(current))
            current = []
        current.append(word)
    if current:
        segments.append(_segment(current))
    return segments


def _segment(words: list[Word]) -> Segment:
    text = " ".join(w.text.strip() for w in words if w.text.strip())
    return Segment(words[0].speaker, words[0].start, max(w.end for w in words), text, words[0].index)
