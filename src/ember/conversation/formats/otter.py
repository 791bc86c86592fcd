"""Otter.ai text export: a header line per turn, the speech below, blank lines between turns.

A header is ``Name  0:42`` (name, two spaces, ``[H:]MM:SS``); Markdown exports
write the name in bold (``**Name**  0:42`` or ``**Name  0:42**``); when Otter
did not identify speakers the header is the time alone (``0:42``) and the
turn belongs to the previous speaker. The closing "Transcribed by
https://otter.ai" line is Otter's signature, not speech.
"""

from __future__ import annotations

import re

from ember.conversation.errors import TranscriptError
from ember.conversation.formats.common import clean, clock_to_seconds
from ember.conversation.transcript import Segment, Transcript

_CLOCK = r"(?P<clock>(?:\d{1,2}:)?\d{1,2}:\d{2})"
HEADER = re.compile(
    rf"^(?:\*\*(?P<bold>[^*]+?)\*\*\s+{_CLOCK}|\*\*(?P<inner>\S[^*]*?)\s{{2,}}(?P<iclock>(?:\d{{1,2}}:)?\d{{1,2}}:\d{{2}})"
    rf"\*\*|(?P<name>\S.*?)\s{{2,}}{_CLOCK.replace('clock', 'pclock')}|(?P<alone>(?:\d{{1,2}}:)?\d{{1,2}}:\d{{2}}))\s*$"
)
_SIGNATURE = re.compile(r"^\W*transcribed by https?://otter\.ai\W*$", re.IGNORECASE)
WORDS_PER_SECOND = 2.5


def read_header(line: str) -> tuple[str | None, float] | None:
    """(speaker or None for a time-only header, start in seconds) if ``line`` is a turn header."""
    match = HEADER.match(line)
    if not match:
        return None
    name = match["bold"] or match["inner"] or match["name"]
    clock = match["clock"] or match["iclock"] or match["pclock"] or match["alone"]
    return (name.strip() if name else None), clock_to_seconds(clock)


def parse_otter(text: str) -> Transcript:
    turns = _turns(text)
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
    if not segments:
        raise TranscriptError("holds no speech", expected='"Name  0:42" headers with speech below', line=1)
    return Transcript(tuple(segments), "otter")


def _turns(text: str) -> list[tuple[str, float, int, list[str]]]:
    turns: list[tuple[str, float, int, list[str]]] = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if _SIGNATURE.match(line):
            break
        header = read_header(line)
        if header:
            name = header[0] or (turns[-1][0] if turns else "Speaker")
            turns.append((name, header[1], number, []))
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
    return turns
