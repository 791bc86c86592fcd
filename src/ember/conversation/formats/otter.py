"""Otter.ai .txt export: "Name  0:42" header lines, speech below, blank lines between turns."""

from __future__ import annotations

import re

from ember.conversation.errors import TranscriptError
from ember.conversation.formats.common import clean, clock_to_seconds
from ember.conversation.transcript import Segment, Transcript

HEADER = re.compile(r"^(?P<name>\S.*?)\s+(?P<clock>(?:\d{1,2}:)?\d{1,2}:\d{2})\s*$")
WORDS_PER_SECOND = 2.5


def parse_otter(text: str) -> Transcript:
    turns: list[tuple[str, float, int, list[str]]] = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        header = HEADER.match(line)
        if header:
            turns.append((header["name"], clock_to_seconds(header["clock"]), number, []))
        elif not turns:
            raise TranscriptError(
                f"speech {line[:40]!r} before any speaker header",
                expected='a header like "Jane Doe  0:42"',
                line=number,
            )
        else:
            turns[-1][3].append(line)
    if not turns:
        raise TranscriptError("no speaker headers found", expected='"Name  0:42" lines', line=1)
    segments: list[Segment] = []
    for index, (name, start, number, lines) in enumerate(turns):
        words = clean(" ".join(lines))
        if not words:
            continue
        # Otter gives only start times: a turn ends where the next one starts,
        # the last one lasts as long as its words take to say.
        spoken = len(words.split()) / WORDS_PER_SECOND
        nxt = turns[index + 1][1] if index + 1 < len(turns) else start + spoken
        if nxt < start:
            raise TranscriptError(
                "turn starts before the previous one",
                expected="headers in time order",
                line=turns[index + 1][2],
            )
        segments.append(Segment(name, start, max(nxt, start + 0.1), words, number))
    return Transcript(tuple(segments), "otter")
