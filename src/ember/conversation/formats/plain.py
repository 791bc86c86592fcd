"""Plain "Name: text" lines, no timing.

Times are estimated from word counts at an ordinary speaking rate, so
durations and talk ratios are approximate; the transcript is flagged and the
report says so. Time-sensitive metrics (patience) are left out.
"""

from __future__ import annotations

from ember.conversation.errors import TranscriptError
from ember.conversation.formats.common import clean, split_speaker
from ember.conversation.transcript import Segment, Transcript

# About 150 words a minute, a common conversational pace.
WORDS_PER_SECOND = 2.5
MIN_TURN_S = 1.0


def parse_plain(text: str) -> Transcript:
    turns: list[tuple[str, int, list[str]]] = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not raw.strip():
            continue
        name, rest = split_speaker(raw)
        if name:
            turns.append((name, number, [rest]))
        elif turns:
            turns[-1][2].append(raw)  # a wrapped line continues the turn
        else:
            raise TranscriptError(
                f"{raw.strip()[:40]!r} has no speaker",
                expected='lines like "Jane Doe: what she said"',
                line=number,
            )
    if not turns:
        raise TranscriptError("the file is empty", expected='"Name: text" lines', line=1)
    segments: list[Segment] = []
    clock = 0.0
    for name, number, lines in turns:
        words = clean(" ".join(lines))
        if not words:
            continue
        length = max(MIN_TURN_S, len(words.split()) / WORDS_PER_SECOND)
        segments.append(Segment(name, clock, clock + length, words, number))
        clock += length
    return Transcript(tuple(segments), "text", timing_estimated=True)
